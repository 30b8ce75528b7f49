package runner

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coop-cloud/chaosrun/cut"
	"github.com/coop-cloud/chaosrun/internal/fuzzcheck"
	"github.com/coop-cloud/chaosrun/interp"
)

// FuzzExploreMerge: two --json summaries merge or are refused in one
// line, and what merges adds up (so printing it cannot fail).
func FuzzExploreMerge(f *testing.F) {
	one := `{"file":"s.star","runs":2,"seed_ranges":[{"first":1,"count":4,"shard":1,"shards":2}],` +
		`"cases":[{"name":"test_a","runs":2,"passed":1,"failed":1,"failures":{"boom":1},"first_failing_seed":3}]}`
	two := strings.Replace(one, `"shard":1`, `"shard":2`, 1)
	for _, seed := range [][2]string{
		{one, two},
		{one, one},
		{`{"file":"a","runs":1,"cases":[null]}`, one},
		{`{"file":"a","runs":1,"seed_ranges":[{"first":1,"count":1,"shard":1,"shards":1}],"cases":[null]}`, one},
		{`{"file":"a","runs":0,"seed_ranges":[{"first":9223372036854775807,"count":9223372036854775807,"shard":1,"shards":1}]}`, one},
		{`{"runs":-1}`, `[]`},
		{one, `{"file":"s.star","runs":1,"seed_ranges":[{"first":99,"count":1,"shard":1,"shards":1}],"cases":[{"name":"test_a","runs":1,"failed":1,"failures":{"boom":-5},"first_failing_seed":99}]}`},
	} {
		f.Add([]byte(seed[0]), []byte(seed[1]))
	}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		sum := &ExploreSummary{}
		for _, data := range [][]byte{a, b} {
			var s ExploreSummary
			if json.Unmarshal(data, &s) != nil {
				return
			}
			if err := sum.Merge(&s); err != nil {
				fuzzcheck.Message(t, string(a)+string(b), err.Error(), fuzzcheck.Bounds{Lines: 1, LineBytes: 2 * cut.LineLimit})
				return
			}
		}
		if err := sum.Check(); err != nil {
			t.Fatalf("merged summary does not add up: %v", err)
		}
		if n := sum.NotRun(); n < 0 {
			t.Fatalf("merged summary has %d seeds not run", n)
		}
	})
}

// costly matches sources that could take gigabytes before the run's
// timeout: a long repetition, repeated products, loops. Bounding a
// case's memory is the run's job, not what this target checks.
var costly = regexp.MustCompile(`\*\s*[0-9]{5}|[0-9]{5}\s*\*|\*.*\*|<<|while|range\(|for .* in|\+=`)

// FuzzScenario: any scenario checks and runs on the simulator, within a
// timeout, to a verdict; no builtin panics and no static error report
// grows without bound.
func FuzzScenario(f *testing.F) {
	// A copy of the fixture next to the scenario: a mutation such as
	// git.init("testapp") makes a repository where the path points, and
	// that must never be the project's own examples folder.
	dir := f.TempDir()
	copyDir(f, "../examples/recipes/testapp", filepath.Join(dir, "testapp"))
	app := "repo = git.init(src = \"testapp\")\nrepo.commit(\"one\")\n" +
		"app = coop.app(\"t.example.com\", recipe = repo)\n"
	for _, seed := range []string{
		"print(1)\n",
		"def test_a():\n    assert.eq(1, 1)\n\ndef test_b():\n    fail(\"no\")\n",
		"sleep(1e300)\n",
		"sleep(\"-5s\")\n",
		"sim.service(None, memory = \"InfGiB\")\n",
		"fault.memory_pressure(\"InfGiB\")\n",
		app + "sim.service(app, boot_jitter = \"2562047h47m16.854775807s\")\n",
		app + "sim.service(app, memory_jitter = 9223372036854775807)\n",
		app + "sim.host_load(\"0B\", 9223372036854775807)\n",
		app + "sim.service(app, boot = \"1s\", memory = \"1GiB\")\nchaos_deploy(app)\nassert_converged(app)\n",
		strings.Replace(app, "recipe = repo", "recipe = repo, env = {\"REPLICAS\": \"10000000\"}", 1) + "chaos_deploy(app)\n",
		"lock(\"x\", lambda: lock(\"x\", print))\n",
		"x = 1" + strings.Repeat("+1", interp.MaxNesting) + "\n",
		"x = " + strings.Repeat("(", 2000) + "1" + strings.Repeat(")", 2000) + "\n",
		"load(\"../nope.star\", \"x\")\nload(\"/etc/passwd\", \"y\")\n",
		"x = nope\ny = nada\nz = 1 +\n",
		strings.Repeat("x = nope\n", 20),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if costly.MatchString(src) {
			return
		}
		path := filepath.Join(dir, "fuzz.star")
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, err := range interp.Check(path, Options(Config{}).Predeclared, dir) {
			fuzzcheck.Message(t, src, err.Error(), fuzzcheck.Bounds{Lines: cut.MaxErrors + 1, LineBytes: 2 * cut.LineLimit})
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		res := RunFile(ctx, path, Config{Engine: EngineSim, Seed: 1, Root: dir})
		for _, c := range res.Cases {
			if c.Err != nil {
				fuzzcheck.Message(t, src, interp.Describe(c.Err), fuzzcheck.Bounds{})
			}
		}
	})
}
