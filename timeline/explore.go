package timeline

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
)

// Explore is what explore's report shows: per case, its outcomes, its
// distinct failures with their seeds, and what the simulator drew in
// passing and failing runs; Timelines are the replayed cases that the
// failures link to.
type Explore struct {
	File      string
	Runs      int
	Seeds     string
	Cases     []ExploreCase
	Timelines []Case
}

// ExploreCase is one case's sweep.
type ExploreCase struct {
	Name                                      string
	Runs, Passed, Failed, Errors, Interrupted int
	Failures                                  []Failure
	Draws                                     []RunDraws
	// Passing is the index in Explore.Timelines of a passing seed's
	// timeline, for comparison (-1: none).
	Passing int
}

// Failure is one distinct failure message and the seeds that ended so.
// Replay is the command that replays a seed, with "{seed}" where the
// seed goes; Timeline is the index in Explore.Timelines of its first
// seed's timeline (-1: none).
type Failure struct {
	Message  string
	Seeds    []int64
	Replay   string
	Timeline int
}

// RunDraws is what the simulator drew in one run, by name.
type RunDraws struct {
	Seed   int64
	Passed bool
	Values map[string]float64
}

// Limits that keep the report small however many runs it covers.
const (
	maxDrawPlots   = 12  // draw names plotted per case, best separating first
	maxSeedButtons = 200 // seeds per failure that show their own replay command
	histBins       = 30
)

type exploreView struct {
	Explore
	Cases []exploreCaseView
}

type exploreCaseView struct {
	ExploreCase
	Failures  []failureView
	Plots     []drawPlot
	MorePlots int
	PassingID string
}

type failureView struct {
	Failure
	Count      int
	Ranges     string
	Buttons    []int64
	More       int
	First      string
	TimelineID string
}

// WriteExplore writes explore's report as one self-contained page.
func WriteExplore(w io.Writer, e Explore) error {
	data := pageData{Title: "chaosrun explore " + e.File, Subtitle: fmt.Sprintf("%d runs per case · %s · written by chaosrun", e.Runs, e.Seeds)}
	id := func(i int) string {
		if i < 0 || i >= len(e.Timelines) {
			return ""
		}
		return fmt.Sprintf("case%d", i+1)
	}
	view := &exploreView{Explore: e}
	for _, c := range e.Cases {
		cv := exploreCaseView{ExploreCase: c, PassingID: id(c.Passing)}
		for _, f := range c.Failures {
			fv := failureView{Failure: f, Count: len(f.Seeds), Ranges: seedRanges(f.Seeds), TimelineID: id(f.Timeline)}
			fv.Buttons = f.Seeds[:min(len(f.Seeds), maxSeedButtons)]
			fv.More = len(f.Seeds) - len(fv.Buttons)
			if len(f.Seeds) > 0 {
				fv.First = strings.ReplaceAll(f.Replay, "{seed}", fmt.Sprint(f.Seeds[0]))
			}
			cv.Failures = append(cv.Failures, fv)
		}
		cv.Plots = drawPlots(c.Draws)
		if len(cv.Plots) > maxDrawPlots {
			cv.MorePlots = len(cv.Plots) - maxDrawPlots
			cv.Plots = cv.Plots[:maxDrawPlots]
		}
		view.Cases = append(view.Cases, cv)
	}
	data.Explore = view
	for i, c := range e.Timelines {
		data.Cases = append(data.Cases, layout(c, id(i)))
	}
	return write(w, data)
}

// seedRanges writes sorted seeds as ranges: "3, 7–9, 12".
func seedRanges(seeds []int64) string {
	var parts []string
	for i := 0; i < len(seeds); {
		j := i
		for j+1 < len(seeds) && seeds[j+1] == seeds[j]+1 {
			j++
		}
		if j == i {
			parts = append(parts, fmt.Sprint(seeds[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d–%d", seeds[i], seeds[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}

// drawPlot is one draw's histogram of passing runs (up) against failing
// runs (down).
type drawPlot struct {
	Name, Summary string
	// Separation is the largest gap between the passing and failing
	// runs' cumulative shares (0: alike, 1: split by one threshold).
	Separation float64
	Bars       []rect
	Width      float64
	Height     float64
	Min, Max   string
}

// drawPlots makes a histogram per draw name that at least two runs
// drew with more than one value, best separating first.
func drawPlots(runs []RunDraws) []drawPlot {
	pass, fail := map[string][]float64{}, map[string][]float64{}
	for _, r := range runs {
		for name, v := range r.Values {
			if r.Passed {
				pass[name] = append(pass[name], v)
			} else {
				fail[name] = append(fail[name], v)
			}
		}
	}
	names := map[string]bool{}
	for n := range pass {
		names[n] = true
	}
	for n := range fail {
		names[n] = true
	}
	var plots []drawPlot
	for name := range names {
		p, f := pass[name], fail[name]
		slices.Sort(p)
		slices.Sort(f)
		lo, hi := bounds(p, f)
		if len(p)+len(f) < 2 || lo == hi {
			continue
		}
		plots = append(plots, histogram(name, p, f, lo, hi))
	}
	slices.SortFunc(plots, func(a, b drawPlot) int {
		if c := cmp.Compare(b.Separation, a.Separation); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	return plots
}

// bounds is the smallest and largest of two sorted lists.
func bounds(a, b []float64) (float64, float64) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range [][]float64{a, b} {
		if len(s) > 0 {
			lo, hi = min(lo, s[0]), max(hi, s[len(s)-1])
		}
	}
	return lo, hi
}

// Histogram geometry.
const (
	histWidth  = 300
	histHalf   = 40 // height of the passing half, and of the failing half
	histMargin = 12
)

func histogram(name string, pass, fail []float64, lo, hi float64) drawPlot {
	unit := unitOf(name)
	d := drawPlot{Name: name, Width: histWidth, Height: 2*histHalf + histMargin, Separation: separation(pass, fail),
		Min: unit.format(lo), Max: unit.format(hi)}
	binOf := func(v float64) int { return min(int((v-lo)/(hi-lo)*histBins), histBins-1) }
	var np, nf [histBins]int
	for _, v := range pass {
		np[binOf(v)]++
	}
	for _, v := range fail {
		nf[binOf(v)]++
	}
	top := 1
	for i := range histBins {
		top = max(top, np[i], nf[i])
	}
	bw := float64(histWidth) / histBins
	for i := range histBins {
		from := lo + (hi-lo)*float64(i)/histBins
		to := lo + (hi-lo)*float64(i+1)/histBins
		where := fmt.Sprintf("%s to %s", unit.format(from), unit.format(to))
		if h := float64(histHalf) * float64(np[i]) / float64(top); np[i] > 0 {
			d.Bars = append(d.Bars, rect{X: float64(i) * bw, Y: histHalf - h, W: bw - 1, H: h, Class: "pass",
				Title: fmt.Sprintf("%d passing runs drew %s", np[i], where)})
		}
		if h := float64(histHalf) * float64(nf[i]) / float64(top); nf[i] > 0 {
			d.Bars = append(d.Bars, rect{X: float64(i) * bw, Y: histHalf + 1, W: bw - 1, H: h, Class: "fail",
				Title: fmt.Sprintf("%d failing runs drew %s", nf[i], where)})
		}
	}
	d.Summary = rangeText("passing", pass, unit) + "; " + rangeText("failing", fail, unit)
	return d
}

// rangeText says how many runs drew a value and between what bounds.
func rangeText(what string, vs []float64, u unit) string {
	if len(vs) == 0 {
		return "no " + what + " run drew it"
	}
	if u == unitRace {
		won := 0
		for _, v := range vs {
			if v == 1 {
				won++
			}
		}
		return fmt.Sprintf("%s runs: won in %d of %d", what, won, len(vs))
	}
	return fmt.Sprintf("%d %s runs drew %s to %s", len(vs), what, u.format(vs[0]), u.format(vs[len(vs)-1]))
}

// separation is the Kolmogorov–Smirnov distance between two sorted
// samples: how far apart their cumulative shares get (0 when either is
// empty).
func separation(a, b []float64) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	i, j, best := 0, 0, 0.0
	for i < len(a) && j < len(b) {
		v := min(a[i], b[j])
		for i < len(a) && a[i] == v {
			i++
		}
		for j < len(b) && b[j] == v {
			j++
		}
		best = max(best, math.Abs(float64(i)/float64(len(a))-float64(j)/float64(len(b))))
	}
	return best
}

// unit is how a draw's value reads: the simulator records durations in
// seconds, memory in bytes and races as 1 (won) or 0 (sim.Draw).
type unit int

const (
	unitNumber unit = iota
	unitSeconds
	unitBytes
	unitRace
)

func unitOf(name string) unit {
	switch kind, _, _ := strings.Cut(name, " "); kind {
	case "host_load", "memory_jitter":
		return unitBytes
	case "boot_jitter", "marked_down_after":
		return unitSeconds
	case "race":
		if strings.Contains(name, " first slot") {
			return unitNumber
		}
		return unitRace
	}
	return unitNumber
}

func (u unit) format(v float64) string {
	switch u {
	case unitBytes:
		if math.Abs(v) >= 1<<30 {
			return fmt.Sprintf("%.2f GiB", v/(1<<30))
		}
		return fmt.Sprintf("%.0f MiB", v/(1<<20))
	case unitSeconds:
		return fmt.Sprintf("%.3gs", v)
	}
	return fmt.Sprintf("%.3g", v)
}
