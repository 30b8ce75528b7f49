package timeline

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/coop-cloud/chaosrun/engine"
	"github.com/coop-cloud/chaosrun/interp"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

const svc = "app_web"

func at(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }

func task(s float64, id string, slot int, state, desired string) engine.Change {
	return engine.Change{Time: at(s), Service: svc, Task: id, Slot: slot, Node: "n1", State: state, Desired: desired,
		Labels: map[string]string{"coop-cloud.app.chaos-version": "v-" + id}}
}

func update(s float64, state string) engine.Change {
	return engine.Change{Time: at(s), Service: svc, UpdateState: state}
}

// describe renders a built case compactly: per lane its tasks, each with
// row, spans and end.
func describe(c Case) string {
	var b strings.Builder
	for _, s := range c.Services {
		fmt.Fprintf(&b, "%s", s.Name)
		if s.Removed >= 0 {
			fmt.Fprintf(&b, " removed@%v", s.Removed)
		}
		b.WriteString("\n")
		for _, band := range s.Bands {
			fmt.Fprintf(&b, "  band %s %v-%v\n", band.State, band.From, band.To)
		}
		for _, l := range s.Lanes {
			fmt.Fprintf(&b, "  %s rows=%d\n", l.Label, l.Rows)
			for _, t := range l.Tasks {
				fmt.Fprintf(&b, "    %s row%d %s", t.ID, t.Row, t.Version)
				for _, sp := range t.Spans {
					stop := ""
					if sp.Stopping {
						stop = "!"
					}
					fmt.Fprintf(&b, " %s%s@%v-%v", sp.State, stop, sp.From, sp.To)
				}
				if t.Open() {
					b.WriteString(" open")
				} else {
					fmt.Fprintf(&b, " %s@%v", t.End, t.To)
				}
				if t.Err != "" {
					fmt.Fprintf(&b, " err=%q", t.Err)
				}
				b.WriteString("\n")
			}
		}
	}
	return b.String()
}

func TestBuild(t *testing.T) {
	tests := []struct {
		name    string
		elapsed time.Duration
		changes []engine.Change
		want    string
	}{{
		name:    "start-first update overlaps in one slot on two rows",
		elapsed: 20 * time.Second,
		changes: []engine.Change{
			task(0, "old", 1, "new", "running"), task(1, "old", 1, "running", "running"),
			update(10, "updating"), task(10, "new", 1, "new", "running"), task(12, "new", 1, "running", "running"),
			task(12, "old", 1, "running", "shutdown"), task(14, "old", 1, "shutdown", "shutdown"),
			update(15, "completed"),
		},
		want: `app_web
  band updating 10s-15s
  band completed 15s-20s
  slot 1 rows=2
    old row0 v-old new@0s-1s running@1s-12s running!@12s-14s shutdown@14s
    new row1 v-new new@10s-12s running@12s-20s open
`,
	}, {
		name:    "a failed task keeps its error; the next one reuses its row",
		elapsed: 10 * time.Second,
		changes: []engine.Change{
			task(0, "a", 1, "starting", "running"),
			{Time: at(2), Service: svc, Task: "a", Slot: 1, State: "failed", Desired: "shutdown", Err: "task: non-zero exit (1)"},
			task(3, "b", 1, "starting", "running"),
		},
		want: `app_web
  slot 1 rows=1
    a row0 v-a starting@0s-2s failed@2s err="task: non-zero exit (1)"
    b row0 v-b starting@3s-10s open
`,
	}, {
		name:    "global tasks get a lane per node; slots sort by number",
		elapsed: 5 * time.Second,
		changes: []engine.Change{
			task(0, "s10", 10, "running", "running"), task(0, "s2", 2, "running", "running"),
			{Time: at(1), Service: svc, Task: "g", Slot: 0, Node: "worker-1", State: "running", Desired: "running"},
		},
		want: `app_web
  slot 2 rows=1
    s2 row0 v-s2 running@0s-5s open
  slot 10 rows=1
    s10 row0 v-s10 running@0s-5s open
  node worker-1 rows=1
    g row0  running@1s-5s open
`,
	}, {
		name:    "a removal closes the band; changes before the start count from 0; the last change ends the case",
		elapsed: time.Second,
		changes: []engine.Change{
			task(-1, "a", 1, "running", "running"), update(2, "rollback_started"),
			{Time: at(4), Service: svc, Removed: true}, task(4, "a", 1, "shutdown", "remove"),
		},
		want: `app_web removed@4s
  band rollback_started 2s-4s
  slot 1 rows=1
    a row0 v-a running@0s-4s shutdown@4s
`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Build(Input{Start: t0, Changes: tt.changes, Result: interp.CaseResult{Name: "test_x", Elapsed: tt.elapsed}})
			if got := describe(c); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestBuildKeepsTheVerdictAndTranscript(t *testing.T) {
	tr := interp.NewTranscript(nil)
	tr.Add(interp.Event{At: 0, Thread: "main", Kind: "deploy", Msg: "app (1 service) fault crash on web"})
	tr.Add(interp.Event{At: 3 * time.Second, Thread: "main", Kind: "git", Msg: "checkout <temp>/app 1.0 (abcdef12)"})
	tr.Add(interp.Event{At: 7 * time.Second, Thread: "main", Kind: "verdict", Msg: "app_web rollback_started"})
	tr.Add(interp.Event{At: 8 * time.Second, Thread: "main", Kind: "print", Msg: "hello"})
	c := Build(Input{Start: t0, Result: interp.CaseResult{Name: "test_x", Err: errors.New("boom"), Transcript: tr, Elapsed: time.Second}})
	if c.Passed || c.Error != "boom" {
		t.Errorf("passed %v error %q, want a failure saying boom", c.Passed, c.Error)
	}
	if c.End != 8*time.Second {
		t.Errorf("end %v, want the last transcript line's 8s", c.End)
	}
	var marks []string
	for _, l := range c.Transcript {
		marks = append(marks, l.Mark)
	}
	if got := strings.Join(marks, ","); got != "fault,checkout,verdict," {
		t.Errorf("marks %q, want fault,checkout,verdict and none for the print", got)
	}
}

func TestZoomWindows(t *testing.T) {
	short := Case{End: 5 * time.Minute, Services: []Service{{Bands: []Band{
		{State: "updating", From: 10 * time.Second, To: 10*time.Second + 200*time.Millisecond},
		{State: "rollback_started", From: 10*time.Second + 200*time.Millisecond, To: 11 * time.Second},
		{State: "rollback_completed", From: 11 * time.Second, To: 5 * time.Minute},
	}}}}
	got := zoomWindows(short, short.End)
	want := [2]time.Duration{10*time.Second - 150*time.Millisecond, 11*time.Second + 150*time.Millisecond}
	if len(got) != 1 || got[0] != want {
		t.Errorf("windows %v, want one %v around the update and its rollback", got, want)
	}
	long := Case{End: time.Minute, Services: []Service{{Bands: []Band{{State: "updating", From: 0, To: 50 * time.Second}}}}}
	if got := zoomWindows(long, long.End); len(got) != 0 {
		t.Errorf("windows %v for an update that fills the case, want none", got)
	}
}

func TestSeedRanges(t *testing.T) {
	for _, tt := range []struct {
		seeds []int64
		want  string
	}{{nil, ""}, {[]int64{3}, "3"}, {[]int64{3, 7, 8, 9, 12}, "3, 7–9, 12"}, {[]int64{1, 2}, "1–2"}} {
		if got := seedRanges(tt.seeds); got != tt.want {
			t.Errorf("seedRanges(%v) = %q, want %q", tt.seeds, got, tt.want)
		}
	}
}

func TestSeparation(t *testing.T) {
	for _, tt := range []struct {
		a, b []float64
		want float64
	}{
		{[]float64{1, 2, 3}, []float64{4, 5}, 1},
		{[]float64{1, 2}, []float64{1, 2}, 0},
		{[]float64{1, 2, 3, 4}, []float64{3, 4, 5, 6}, 0.5},
		{nil, []float64{1}, 0},
	} {
		if got := separation(tt.a, tt.b); got != tt.want {
			t.Errorf("separation(%v, %v) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestDrawPlotsPutTheSeparatingDrawFirst(t *testing.T) {
	var runs []RunDraws
	for i := range 40 {
		load := float64(i) * (1 << 26) // 0 to 2.4 GiB
		runs = append(runs, RunDraws{Seed: int64(i), Passed: load < 1<<30,
			Values: map[string]float64{"host_load node-1": load, "boot_jitter app slot 1": float64(i % 5), "race x y": 1}})
	}
	plots := drawPlots(runs)
	if len(plots) != 2 {
		t.Fatalf("%d plots, want 2 (a draw with one value is left out)", len(plots))
	}
	if p := plots[0]; p.Name != "host_load node-1" || p.Separation != 1 {
		t.Errorf("first plot %s separation %v, want host_load with 1", p.Name, p.Separation)
	}
	if s := plots[0].Summary; !strings.Contains(s, "16 passing runs drew 0 MiB to 960 MiB") || !strings.Contains(s, "24 failing runs drew 1.00 GiB to 2.44 GiB") {
		t.Errorf("summary %q, want the passing and failing ranges in MiB and GiB", s)
	}
}
