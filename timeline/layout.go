package timeline

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/coop-cloud/chaosrun/interp"
)

// Geometry of a case's picture, in CSS pixels.
const (
	plotWidth   = 960 // the time axis
	labelWidth  = 190 // lane names
	axisHeight  = 22
	titleHeight = 18 // a service's name
	bandHeight  = 10 // its update state
	rowHeight   = 14 // one row of a lane
	laneGap     = 3
	serviceGap  = 8
	minBarWidth = 1.5 // a task shorter than a pixel stays visible
)

// caseView is a case laid out for the page template: the whole case,
// then a closer view of each update too short to see in it.
type caseView struct {
	Case
	ID             string // the page's anchor of the case
	Plots          []plotView
	Lines          []lineView
	Verdict, Class string
}

// plotView is one picture of a case, from From to To.
type plotView struct {
	Title         string
	FromMs, ToMs  int64
	Width, Height float64
	PlotX         float64
	Ticks         []tick
	Titles        []text
	Lanes         []text
	Bands         []rect
	Tasks         []taskView
	Markers       []marker
}

type tick struct {
	X    float64
	Text string
}

type text struct {
	X, Y float64
	Text string
}

type rect struct {
	X, Y, W, H float64
	Class      string
	Title      string
}

// taskView is a task's bar: its spans, an end cap for its terminal state,
// and what hovering or clicking it shows.
type taskView struct {
	ID, Alias, Service, Version, End string
	Spans                            []rect
	Cap                              *rect
	Title                            string
}

type marker struct {
	X, Y1, Y2 float64
	Kind      string
	Line      string // the transcript line's anchor
	Title     string
}

type lineView struct {
	Line
	ID, Time string
	Ms       int64
}

// layout places a case's services, lanes, tasks, bands and markers.
func layout(c Case, id string) caseView {
	v := caseView{Case: c, ID: id}
	v.Verdict, v.Class = "PASS", "pass"
	if !c.Passed {
		v.Verdict, v.Class = "FAIL", "fail"
	}
	for i, l := range c.Transcript {
		v.Lines = append(v.Lines, lineView{Line: l, ID: fmt.Sprintf("%s-l%d", id, i), Time: "+" + interp.FormatOffset(l.At), Ms: l.At.Milliseconds()})
	}
	end := max(c.End, time.Millisecond)
	v.Plots = append(v.Plots, plot(c, v.Lines, 0, end, "whole case"))
	for _, w := range zoomWindows(c, end) {
		v.Plots = append(v.Plots, plot(c, v.Lines, w[0], w[1],
			fmt.Sprintf("closer: +%s to +%s", interp.FormatOffset(w[0]), interp.FormatOffset(w[1]))))
	}
	return v
}

// Closer views: an update shorter than zoomBelow of the case gets one,
// padded by zoomPad of its length (at least minPad), at most maxZooms.
const (
	zoomBelow = 0.08
	zoomPad   = 0.15
	minPad    = 20 * time.Millisecond
	maxZooms  = 4
)

// zoomWindows are the stretches of the case worth a closer view: each
// service's updates, from the first band to the next one that ends it
// (a rollback after an update is one window); services' windows that
// overlap stay apart, since a short rollback would be lost in a long
// update next to it, but the same window is not drawn twice.
func zoomWindows(c Case, end time.Duration) [][2]time.Duration {
	var out [][2]time.Duration
	for _, s := range c.Services {
		for _, w := range updateSpans(s.Bands) {
			length := w[1] - w[0]
			if float64(length) >= zoomBelow*float64(end) || len(out) == maxZooms {
				continue
			}
			pad := max(time.Duration(zoomPad*float64(length)), minPad)
			w = [2]time.Duration{max(w[0]-pad, 0), min(w[1]+pad, end)}
			if !slices.Contains(out, w) {
				out = append(out, w)
			}
		}
	}
	slices.SortFunc(out, func(a, b [2]time.Duration) int { return cmp.Compare(a[0], b[0]) })
	return out
}

// updateSpans merges a service's touching bands, the final states
// (completed, rollback_completed) left out, into one span per update.
func updateSpans(bands []Band) [][2]time.Duration {
	var merged [][2]time.Duration
	for _, b := range bands {
		if b.State == "completed" || b.State == "rollback_completed" {
			continue
		}
		if n := len(merged); n > 0 && b.From <= merged[n-1][1] {
			merged[n-1][1] = max(merged[n-1][1], b.To)
			continue
		}
		merged = append(merged, [2]time.Duration{b.From, b.To})
	}
	return merged
}

// plot draws the case between from and to; what lies outside is cut.
func plot(c Case, lines []lineView, from, to time.Duration, title string) plotView {
	p := plotView{Title: title, FromMs: from.Milliseconds(), ToMs: to.Milliseconds(), PlotX: labelWidth, Width: labelWidth + plotWidth + 10}
	span := max(to-from, time.Millisecond)
	x := func(d time.Duration) float64 {
		return labelWidth + plotWidth*float64(min(max(d, from), to)-from)/float64(span)
	}
	visible := func(a, b time.Duration) bool { return b >= from && a <= to }
	p.Ticks = ticks(from, to, x)
	y := float64(axisHeight)
	for _, s := range c.Services {
		p.Titles = append(p.Titles, text{X: 4, Y: y + 13, Text: s.Name})
		y += titleHeight
		for _, b := range s.Bands {
			if visible(b.From, b.To) {
				p.Bands = append(p.Bands, rect{X: x(b.From), Y: y, W: max(x(b.To)-x(b.From), minBarWidth), H: bandHeight,
					Class: "band " + className(b.State), Title: bandTitle(s.Name, b)})
			}
		}
		y += bandHeight + laneGap
		for _, lane := range s.Lanes {
			p.Lanes = append(p.Lanes, text{X: 14, Y: y + 11, Text: lane.Label})
			for _, t := range lane.Tasks {
				if visible(t.From, t.To) {
					p.Tasks = append(p.Tasks, taskBar(s.Name, lane.Label, t, y+float64(t.Row)*rowHeight, x, visible))
				}
			}
			y += float64(lane.Rows)*rowHeight + laneGap
		}
		y += serviceGap
	}
	p.Height = y
	for _, l := range lines {
		if l.Mark != "" && visible(l.At, l.At) {
			p.Markers = append(p.Markers, marker{X: x(l.At), Y1: axisHeight - 6, Y2: y, Kind: l.Mark, Line: l.ID, Title: l.Text})
		}
	}
	return p
}

// taskBar draws one task at height y.
func taskBar(service, lane string, t Task, y float64, x func(time.Duration) float64, visible func(a, b time.Duration) bool) taskView {
	tv := taskView{ID: t.ID, Alias: t.Alias, Service: service, Version: t.Version, End: t.End, Title: taskTitle(service, lane, t)}
	for _, sp := range t.Spans {
		if !visible(sp.From, sp.To) {
			continue
		}
		class := "span " + className(sp.State)
		if sp.Stopping {
			class += " stopping"
		}
		tv.Spans = append(tv.Spans, rect{X: x(sp.From), Y: y + 1, W: max(x(sp.To)-x(sp.From), minBarWidth), H: rowHeight - 3, Class: class})
	}
	if !t.Open() && visible(t.To, t.To) {
		tv.Cap = &rect{X: x(t.To) - 1, Y: y, W: 3, H: rowHeight - 1, Class: "cap " + className(t.End)}
	}
	return tv
}

// taskTitle is what hovering a task shows: who it is, its spec, and when
// it reached each state, to the millisecond.
func taskTitle(service, lane string, t Task) string {
	var b strings.Builder
	if t.Alias != "" {
		fmt.Fprintf(&b, "task %s (%s)", t.Alias, t.ID)
	} else {
		fmt.Fprintf(&b, "task %s", t.ID)
	}
	fmt.Fprintf(&b, "\n%s %s", service, lane)
	if t.Node != "" {
		fmt.Fprintf(&b, " on %s", t.Node)
	}
	if t.Version != "" {
		fmt.Fprintf(&b, "\nspec chaos-version %s", t.Version)
	}
	for _, sp := range t.Spans {
		fmt.Fprintf(&b, "\n+%s %s", interp.FormatOffset(sp.From), sp.State)
		if sp.Stopping {
			b.WriteString(" (asked to shut down)")
		}
	}
	if !t.Open() {
		fmt.Fprintf(&b, "\n+%s %s", interp.FormatOffset(t.To), t.End)
	}
	if t.Err != "" {
		fmt.Fprintf(&b, "\nerror: %s", t.Err)
	}
	return b.String()
}

func bandTitle(service string, b Band) string {
	s := fmt.Sprintf("%s update %s from +%s to +%s", service, b.State, interp.FormatOffset(b.From), interp.FormatOffset(b.To))
	if b.Message != "" {
		s += "\n" + b.Message
	}
	return s
}

// className turns a state into a CSS class ("rollback_started" stays).
func className(state string) string {
	if state == "" {
		return "none"
	}
	return "s-" + state
}

// tickSteps are the axis steps tried, smallest first.
var tickSteps = []time.Duration{
	time.Millisecond, 2 * time.Millisecond, 5 * time.Millisecond, 10 * time.Millisecond, 20 * time.Millisecond,
	50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond, 500 * time.Millisecond,
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour,
}

// ticks labels the axis with at most about ten round times.
func ticks(from, to time.Duration, x func(time.Duration) float64) []tick {
	step := tickSteps[len(tickSteps)-1]
	for _, s := range tickSteps {
		if (to-from)/s <= 10 {
			step = s
			break
		}
	}
	var out []tick
	for d := (from + step - 1) / step * step; d <= to; d += step {
		out = append(out, tick{X: x(d), Text: interp.FormatOffset(d)})
	}
	return out
}
