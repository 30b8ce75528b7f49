package docker

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/docker/docker/api/types/filters"

	"github.com/coop-cloud/chaosrun/procid"
)

// Close stops fault watchers and, unless Options.Keep, removes everything
// labelled chaosrun.run=<RunID> (services, then networks, secrets and
// configs), waiting until it is gone; the error lists what is left behind.
// Call it with a fresh context when the run was interrupted. Close is safe
// to call more than once (later calls return the first one's result).
func (e *Engine) Close(ctx context.Context) error {
	e.closeOnce.Do(func() { e.closeErr = e.close(ctx) })
	return e.closeErr
}

func (e *Engine) close(ctx context.Context) error {
	e.cancel()
	e.wg.Wait()
	defer e.cli.Close()
	defer closeDaemons(e.nodes)
	if e.opts.Keep {
		return nil
	}
	objs, err := listObjects(ctx, e.cli, filters.NewArgs(filters.Arg("label", RunLabel+"="+e.opts.RunID)))
	if err != nil {
		return fmt.Errorf("close run %s: find what it created: %w", e.opts.RunID, err)
	}
	if err := removeAll(ctx, e.cli, objs); err != nil {
		return fmt.Errorf("close run %s: left behind: %w", e.opts.RunID, err)
	}
	return nil
}

// CleanupOptions say what Cleanup lists and removes.
type CleanupOptions struct {
	// Yes removes what the listing marks for removal; without it nothing
	// is removed.
	Yes bool
	// Run and Stack, when not empty, narrow cleanup to the objects of one
	// run (chaosrun.run) and of one stack (com.docker.stack.namespace).
	Run, Stack string
	// OtherHosts also removes objects whose owner cannot be checked from
	// here: it ran on another host, or on this one before a reboot or in
	// another container (another pid namespace).
	OtherHosts bool
	// Unowned also removes objects with no owner labels, which a chaosrun
	// from before owner labels created.
	Unowned bool
}

// Cleanup finds the objects chaosrun runs left on the swarm named by the
// environment (everything labelled chaosrun.run, narrowed by opts.Run and
// opts.Stack), and lists them on w, by run, each run marked remove or keep
// with the reason (decide). Only when opts.Yes does it remove those marked
// remove, waiting until they are gone. Objects without the run label are
// never touched, and a run whose owner still runs on this host never is.
func Cleanup(ctx context.Context, w io.Writer, opts CleanupOptions) error {
	cli, host, err := newClient()
	if err != nil {
		return err
	}
	defer cli.Close()
	if _, _, err := checkManager(ctx, cli, host); err != nil {
		return err
	}
	all, err := listObjects(ctx, cli, filters.NewArgs(filters.Arg("label", RunLabel)))
	if err != nil {
		return fmt.Errorf("cleanup: %w", err)
	}
	var objs []object
	for _, o := range all {
		if selected(o, opts) {
			objs = append(objs, o)
		}
	}
	if len(objs) == 0 {
		fmt.Fprintf(w, "no chaosrun objects%s on the swarm at %s\n", narrowing(opts), host)
		notListed(w, len(all)-len(objs), opts)
		return nil
	}
	check := memoCheck(procid.Check)
	remove := printPlan(w, host, objs, func(o object) decision { return decide(o, opts, check) })
	notListed(w, len(all)-len(objs), opts)
	kept := len(objs) - len(remove)
	switch {
	case len(remove) == 0:
		fmt.Fprintf(w, "nothing to remove, %d kept\n", kept)
		return nil
	case !opts.Yes:
		fmt.Fprintf(w, "nothing removed: %d to remove, %d kept; confirm (--yes) to remove them\n", len(remove), kept)
		return nil
	}
	if err := removeAll(ctx, cli, remove); err != nil {
		return fmt.Errorf("cleanup: %w", err)
	}
	fmt.Fprintf(w, "removed %d objects, %d kept\n", len(remove), kept)
	return nil
}

// notListed says how many chaosrun objects --run and --stack left out.
func notListed(w io.Writer, n int, opts CleanupOptions) {
	if n > 0 {
		fmt.Fprintf(w, "(%d other chaosrun objects, not%s, are not listed)\n", n, narrowing(opts))
	}
}

// selected reports whether o is of opts.Run and opts.Stack (either one
// matches anything when empty).
func selected(o object, opts CleanupOptions) bool {
	return (opts.Run == "" || o.run == opts.Run) && (opts.Stack == "" || o.stack == opts.Stack)
}

// narrowing names opts.Run and opts.Stack for messages: "" when neither.
func narrowing(opts CleanupOptions) string {
	var parts []string
	if opts.Run != "" {
		parts = append(parts, "run "+opts.Run)
	}
	if opts.Stack != "" {
		parts = append(parts, "stack "+opts.Stack)
	}
	if len(parts) == 0 {
		return ""
	}
	return " of " + strings.Join(parts, " and ")
}

// decision is what cleanup does with one object, and why.
type decision struct {
	remove bool
	why    string
}

// decide is cleanup's rule for one object labelled chaosrun.run, given
// check, which tells whether its owner still runs (procid.Check):
//
//   - an owner still running is kept, whatever the options;
//   - an owner that has exited is removed;
//   - an owner that cannot be checked from here (another host, boot or pid
//     namespace) is kept unless opts.OtherHosts;
//   - an object with no owner labels (an older chaosrun's) is kept unless
//     opts.Unowned.
func decide(o object, opts CleanupOptions, check func(procid.ID) (procid.State, string)) decision {
	if o.owner == (procid.ID{}) {
		if opts.Unowned {
			return decision{true, "no owner recorded (made by an older chaosrun), and --include-unowned was given"}
		}
		return decision{false, "no owner recorded (made by an older chaosrun), so it may still be in use; --include-unowned removes it"}
	}
	state, why := check(o.owner)
	who := "its owner, " + o.owner.String() + ", " + why
	switch state {
	case procid.Running:
		return decision{false, who}
	case procid.Gone:
		return decision{true, who}
	}
	if opts.OtherHosts {
		return decision{true, who + ", and --include-other-hosts was given"}
	}
	return decision{false, who + ", so it cannot be checked from here; --include-other-hosts removes it"}
}

// memoCheck asks check once per owner, so that one listing decides alike
// for all of a run's objects.
func memoCheck(check func(procid.ID) (procid.State, string)) func(procid.ID) (procid.State, string) {
	type answer struct {
		state procid.State
		why   string
	}
	seen := map[procid.ID]answer{}
	return func(id procid.ID) (procid.State, string) {
		a, ok := seen[id]
		if !ok {
			a.state, a.why = check(id)
			seen[id] = a
		}
		return a.state, a.why
	}
}

// printPlan lists objs on w grouped by run and decision, runs in order,
// and returns the objects to remove.
func printPlan(w io.Writer, host string, objs []object, decide func(object) decision) []object {
	type group struct {
		run string
		decision
	}
	var order []group
	members := map[group][]object{}
	for _, o := range objs {
		g := group{o.run, decide(o)}
		if members[g] == nil {
			order = append(order, g)
		}
		members[g] = append(members[g], o)
	}
	sort.SliceStable(order, func(i, j int) bool { return order[i].run < order[j].run })
	fmt.Fprintf(w, "%d chaosrun objects on the swarm at %s:\n", len(objs), host)
	var remove []object
	for _, g := range order {
		verb := "keep"
		if g.remove {
			verb = "remove"
			remove = append(remove, members[g]...)
		}
		fmt.Fprintf(w, "  %-6s run %s: %s\n", verb, g.run, g.why)
		for _, o := range members[g] {
			fmt.Fprintf(w, "           %-8s %s\n", o.kind, o.name)
		}
	}
	return remove
}
