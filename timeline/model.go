// Package timeline turns what a case did into pictures: the engine's
// changes to services and tasks (engine.Observer) and the case's
// transcript become one lane per service slot, task bars coloured by
// state, the update's state as a band and the scenario's steps as
// markers, written as a self-contained HTML page (docs/timeline.md).
// It also draws explore's report: pass and fail rates, failure messages,
// and the simulator's draws of passing against failing seeds.
package timeline

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/engine"
	"github.com/coop-cloud/chaosrun/engine/converge"
	"github.com/coop-cloud/chaosrun/interp"
)

// Case is one case's timeline, ready to draw. Times are offsets from the
// case's start on its own clock, like the transcript's.
type Case struct {
	File, Name string
	// Engine is "sim" or "docker"; Seed matters on the simulator only.
	Engine string
	Seed   int64
	Passed bool
	// Error is the failure (with its Starlark position); Detail is the
	// explanation chaosrun prints under it; Rerun replays the case.
	Error, Detail, Rerun string
	// End is the case's length: its elapsed time or the last change seen.
	End        time.Duration
	Services   []Service
	Transcript []Line
}

// Service is one service's lanes and update bands.
type Service struct {
	Name  string
	Lanes []Lane
	Bands []Band
	// Created and Removed are when the service appeared and went (-1: not
	// seen).
	Created, Removed time.Duration
}

// Lane is one slot of a replicated service (or one node of a global
// one), with its tasks in the order they were created.
type Lane struct {
	Label string
	Tasks []Task
	// Rows is how many rows the lane needs so that overlapping tasks
	// (start-first) do not cover each other; each task's Row says where.
	Rows int
}

// Task is one task's bar.
type Task struct {
	ID, Alias string
	Node      string
	// Version is the chaos-version label of the spec the task was made
	// from ("" when unknown).
	Version string
	Err     string
	Spans   []Span
	// From is when the task was first seen, To when it reached its
	// terminal state End, or when the case ended for a task still open
	// (End "").
	From, To time.Duration
	End      string
	Row      int
}

// Open reports whether the task had not ended when the case did.
func (t Task) Open() bool { return t.End == "" }

// Span is a stretch of a task's life in one state; Stopping marks one
// where the task was still up but asked to shut down.
type Span struct {
	State    string
	From, To time.Duration
	Stopping bool
}

// Band is a stretch of a service's update state.
type Band struct {
	State    string
	Message  string
	From, To time.Duration
}

// Line is one transcript line; Mark says which marker it gets on the
// timeline ("" for none).
type Line struct {
	At   time.Duration
	Text string
	Mark string
}

// Input is what Build needs of a case.
type Input struct {
	File   string
	Engine string
	Seed   int64
	Result interp.CaseResult
	// Detail and Rerun are the explanation and replay command chaosrun
	// prints for a failed case.
	Detail, Rerun string
	// Start is the case's start on its clock; Changes what the engine
	// reported, in order; Aliases the transcript's names of task IDs.
	Start   time.Time
	Changes []engine.Change
	Aliases map[string]string
}

// Build makes the timeline of one case.
func Build(in Input) Case {
	c := Case{File: in.File, Name: in.Result.Name, Engine: in.Engine, Seed: in.Seed, Passed: in.Result.Passed(),
		Detail: in.Detail, Rerun: in.Rerun, End: in.Result.Elapsed}
	if in.Result.Err != nil {
		c.Error = interp.Describe(in.Result.Err)
	}
	at := func(t time.Time) time.Duration { return max(t.Sub(in.Start), 0) }
	for _, ch := range in.Changes {
		c.End = max(c.End, at(ch.Time))
	}
	if in.Result.Transcript != nil {
		for _, e := range in.Result.Transcript.Events() {
			c.Transcript = append(c.Transcript, Line{At: e.At, Text: e.Text(), Mark: markOf(e)})
			c.End = max(c.End, e.At)
		}
	}
	b := builder{end: c.End, aliases: in.Aliases, services: map[string]*serviceBuild{}}
	for _, ch := range in.Changes {
		b.add(at(ch.Time), ch)
	}
	c.Services = b.finish()
	return c
}

// builder gathers changes per service.
type builder struct {
	end      time.Duration
	aliases  map[string]string
	services map[string]*serviceBuild
	order    []string
}

type serviceBuild struct {
	Service
	lanes map[string]*Lane
	tasks map[string]*taskRef
	band  *Band
}

// taskRef finds a task's bar in its lane.
type taskRef struct {
	lane *Lane
	i    int
}

func (b *builder) service(name string, at time.Duration) *serviceBuild {
	s := b.services[name]
	if s == nil {
		s = &serviceBuild{Service: Service{Name: name, Created: at, Removed: -1}, lanes: map[string]*Lane{}, tasks: map[string]*taskRef{}}
		b.services[name] = s
		b.order = append(b.order, name)
	}
	return s
}

func (b *builder) add(at time.Duration, ch engine.Change) {
	s := b.service(ch.Service, at)
	if ch.Task == "" {
		s.serviceChange(at, ch)
		return
	}
	ref := s.tasks[ch.Task]
	if ref == nil {
		label := "slot " + strconv.Itoa(ch.Slot)
		if ch.Slot == 0 {
			label = "node " + ch.Node
		}
		lane := s.lanes[label]
		if lane == nil {
			lane = &Lane{Label: label}
			s.lanes[label] = lane
		}
		lane.Tasks = append(lane.Tasks, Task{ID: ch.Task, Alias: b.aliases[ch.Task], From: at,
			Version: converge.ChaosVersion(ch.Labels)})
		ref = &taskRef{lane: lane, i: len(lane.Tasks) - 1}
		s.tasks[ch.Task] = ref
	}
	ref.lane.Tasks[ref.i].change(at, ch)
}

// change applies one task change to its bar.
func (t *Task) change(at time.Duration, ch engine.Change) {
	if ch.Node != "" {
		t.Node = ch.Node
	}
	if ch.Err != "" {
		t.Err = ch.Err
	}
	if !t.Open() {
		return
	}
	stopping := terminal(ch.Desired)
	if n := len(t.Spans); n > 0 {
		last := &t.Spans[n-1]
		if last.State == ch.State && last.Stopping == stopping {
			return
		}
		last.To = at
	}
	if terminal(ch.State) {
		t.End, t.To = ch.State, at
		return
	}
	t.Spans = append(t.Spans, Span{State: ch.State, From: at, Stopping: stopping})
}

// terminal reports whether a task state is past running.
func terminal(state string) bool {
	return engine.TaskStateRank(swarm.TaskState(state)) > engine.TaskStateRank(swarm.TaskStateRunning)
}

// serviceChange starts a new band when the update state changes.
func (s *serviceBuild) serviceChange(at time.Duration, ch engine.Change) {
	if ch.Removed {
		s.Removed = at
		s.closeBand(at)
		return
	}
	if s.band != nil && s.band.State == ch.UpdateState && s.band.Message == ch.Message {
		return
	}
	s.closeBand(at)
	if ch.UpdateState != "" {
		s.band = &Band{State: ch.UpdateState, Message: ch.Message, From: at}
	}
}

func (s *serviceBuild) closeBand(at time.Duration) {
	if s.band != nil {
		s.band.To = at
		s.Bands = append(s.Bands, *s.band)
		s.band = nil
	}
}

// finish closes what is still open at the end and orders the lanes.
func (b *builder) finish() []Service {
	out := make([]Service, 0, len(b.order))
	for _, name := range b.order {
		s := b.services[name]
		s.closeBand(b.end)
		for _, lane := range s.lanes {
			for i := range lane.Tasks {
				t := &lane.Tasks[i]
				if t.Open() {
					t.To = b.end
					if n := len(t.Spans); n > 0 {
						t.Spans[n-1].To = b.end
					}
				}
			}
			lane.Rows = placeRows(lane.Tasks)
			s.Lanes = append(s.Lanes, *lane)
		}
		slices.SortFunc(s.Lanes, func(a, b Lane) int { return compareLabels(a.Label, b.Label) })
		out = append(out, s.Service)
	}
	slices.SortStableFunc(out, func(a, b Service) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

// placeRows gives each task the first row where it overlaps no other,
// and returns the number of rows.
func placeRows(tasks []Task) int {
	var ends []time.Duration // per row, when its last task ends
	for i := range tasks {
		t := &tasks[i]
		row := slices.IndexFunc(ends, func(end time.Duration) bool { return end <= t.From })
		if row < 0 {
			row = len(ends)
			ends = append(ends, 0)
		}
		t.Row, ends[row] = row, t.To
	}
	return max(len(ends), 1)
}

// compareLabels orders "slot 2" before "slot 10", and slots before nodes.
func compareLabels(a, b string) int {
	na, errA := strconv.Atoi(strings.TrimPrefix(a, "slot "))
	nb, errB := strconv.Atoi(strings.TrimPrefix(b, "slot "))
	switch {
	case errA == nil && errB == nil:
		return cmp.Compare(na, nb)
	case errA == nil:
		return -1
	case errB == nil:
		return 1
	}
	return cmp.Compare(a, b)
}
