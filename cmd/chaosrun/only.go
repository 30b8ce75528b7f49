package main

import (
	"fmt"
	"strings"

	"github.com/coop-cloud/chaosrun/interp"
)

// filesWithCase checks --run NAME before anything runs: it returns the
// files that have a case of that name (and those it cannot read, whose
// error the run reports), or a usage error listing the cases there are
// when none has it, so a misspelt name never passes on nothing.
func filesWithCase(files []string, name string) ([]string, error) {
	var keep, all, listed []string
	for _, f := range files {
		names, err := interp.CaseNames(f)
		if err != nil {
			keep = append(keep, f)
			continue
		}
		for _, n := range names {
			if n == name {
				keep = append(keep, f)
				break
			}
		}
		all = append(all, names...)
		list := strings.Join(names, ", ")
		if !strings.HasPrefix(names[0], "test_") {
			list += " (no test_* function: the whole file is one case)"
		}
		listed = append(listed, fmt.Sprintf("cases of %s: %s", f, list))
	}
	if len(keep) > 0 {
		return keep, nil
	}
	return nil, usageError(fmt.Errorf("--run %s matches no case%s; %s", name, interp.Suggest(name, all), strings.Join(listed, "; ")))
}
