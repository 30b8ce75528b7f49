package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/coop-cloud/chaosrun/interp"
	"github.com/coop-cloud/chaosrun/runner"
)

const flagMaxFailureRate = "max-failure-rate"

func maxFailureRateFlag() cli.Flag {
	return &cli.StringSliceFlag{Name: flagMaxFailureRate,
		Usage: "`[CASE=]R`: accept a share R (0..1) of failed runs, for CASE or else for every case without its own (repeatable; default 0)"}
}

// thresholds are what explore's user accepts: the share of a case's
// completed runs that may fail, per case or for every other case, in the
// spirit of k6 thresholds. Unstated, a case may not fail at all.
type thresholds struct {
	all     float64
	allSet  bool
	perCase map[string]float64
}

// parseThresholds reads --max-failure-rate values: R or CASE=R.
func parseThresholds(values []string) (thresholds, error) {
	th := thresholds{perCase: map[string]float64{}}
	for _, v := range values {
		name, rate, ok := strings.Cut(v, "=")
		if !ok {
			name, rate = "", v
		}
		r, err := strconv.ParseFloat(rate, 64)
		if err != nil || r < 0 || r > 1 || (ok && name == "") {
			return th, fmt.Errorf("bad --%s %q: want R or CASE=R with 0 <= R <= 1", flagMaxFailureRate, v)
		}
		_, dup := th.perCase[name]
		if (!ok && th.allSet) || (ok && dup) {
			return th, fmt.Errorf("--%s %q: a second threshold for the same cases", flagMaxFailureRate, v)
		}
		if ok {
			th.perCase[name] = r
		} else {
			th.all, th.allSet = r, true
		}
	}
	return th, nil
}

// checkNames refuses a threshold for a case that does not exist.
func (th thresholds) checkNames(file string, cases []string) error {
	for name := range th.perCase {
		found := false
		for _, c := range cases {
			found = found || c == name
		}
		if !found {
			return fmt.Errorf("--%s %s: %s has no such case%s (its cases: %s)", flagMaxFailureRate, name, file,
				interp.Suggest(name, cases), strings.Join(cases, ", "))
		}
	}
	return nil
}

// limit is the failure rate accepted for a case, and how to name it.
func (th thresholds) limit(name string) (float64, string) {
	if r, ok := th.perCase[name]; ok {
		return r, fmt.Sprintf("its --%s %s=%g", flagMaxFailureRate, name, r)
	}
	if th.allSet {
		return th.all, fmt.Sprintf("--%s %g", flagMaxFailureRate, th.all)
	}
	return 0, fmt.Sprintf("the default --%s 0", flagMaxFailureRate)
}

// failureRate is the share of a case's completed runs that failed.
func failureRate(cs *runner.CaseStats) float64 {
	return float64(cs.Failed) / float64(max(cs.Passed+cs.Failed, 1))
}

// verdict judges a sweep: exit 2 when a run had a script error (never
// acceptable: the scenario is broken), else 1 when a case failed more
// often than its threshold, else 0; line says why, for the summary.
func (th thresholds) verdict(sum *runner.ExploreSummary) (code int, line string) {
	var errs, crossed []string
	for _, cs := range sum.Cases {
		if cs.Errors > 0 {
			errs = append(errs, fmt.Sprintf("%s had %d script errors in %d runs", cs.Name, cs.Errors, cs.Passed+cs.Failed))
		}
		if limit, what := th.limit(cs.Name); failureRate(cs) > limit {
			crossed = append(crossed, fmt.Sprintf("%s failed %.1f%% of %d runs, over %s", cs.Name,
				100*failureRate(cs), cs.Passed+cs.Failed, what))
		}
	}
	switch {
	case len(errs) > 0:
		return exitUsage, "ERROR: " + strings.Join(errs, "; ")
	case len(crossed) > 0:
		return exitFailed, "FAIL: " + strings.Join(crossed, "; ")
	case th.allSet || len(th.perCase) > 0:
		return exitOK, fmt.Sprintf("PASS: every case within its --%s", flagMaxFailureRate)
	}
	return exitOK, "PASS: no run failed"
}
