package runner

import (
	"context"
	"regexp"
	"testing"

	"github.com/coop-cloud/chaosrun/interp"
)

// TestCasesDoNotDependOnEachOther: every case of a file whose cases change
// a fixture checkout made by module code passes in a full run, in any
// order the cases run in (explore), and alone (--run), with the same
// transcript each way.
func TestCasesDoNotDependOnEachOther(t *testing.T) {
	const file = "testdata/isolation.star"
	for _, engine := range []string{EngineSim, EngineNone} {
		cfg := Config{Engine: engine, Seed: 1}
		full := map[string]string{}
		res := RunFile(context.Background(), file, cfg)
		if res.Err != nil {
			t.Fatalf("%s: %v", engine, interp.Describe(res.Err))
		}
		for _, c := range res.Cases {
			if c.Name == interp.LoadCase {
				continue
			}
			if c.Err != nil {
				t.Errorf("%s: full run: %s: %v", engine, c.Name, interp.Describe(c.Err))
			}
			full[c.Name] = transcriptText(engine, c.Transcript)
		}
		if len(full) != 4 {
			t.Fatalf("%s: %d cases ran, want 4", engine, len(full))
		}
		for name, want := range full {
			cfg := cfg
			cfg.Only = name
			alone := RunFile(context.Background(), file, cfg)
			if alone.Err != nil || len(alone.Cases) == 0 || alone.Cases[0].Err != nil {
				t.Errorf("%s: --run %s failed: %+v", engine, name, alone)
				continue
			}
			if got := transcriptText(engine, alone.Cases[0].Transcript); got != want {
				t.Errorf("%s: --run %s transcript:\n%s\nin the full run:\n%s", engine, name, got, want)
			}
		}
		// Backwards, on one loaded module, as an explore worker runs them.
		m, err := interp.LoadModule(context.Background(), file, Options(cfg))
		if err != nil {
			t.Fatal(err)
		}
		names := m.Cases()
		for i := len(names) - 1; i >= 0; i-- {
			for range 2 {
				if r := m.RunCase(context.Background(), names[i], startCase(cfg)); r.Err != nil {
					t.Errorf("%s: module run of %s: %v", engine, names[i], interp.Describe(r.Err))
				}
			}
		}
		if err := m.Close(); err != nil {
			t.Error(err)
		}
	}
}

// transcriptText is the transcript's text, without the times on the wall
// clock of --engine none.
func transcriptText(engine string, t *interp.Transcript) string {
	if engine != EngineNone {
		return t.Text()
	}
	return regexp.MustCompile(`(?m)^\[\+[^]]*\] `).ReplaceAllString(t.Text(), "")
}
