package docker

import (
	"context"
	"fmt"
	"io"
	"sort"

	"github.com/docker/docker/api/types/filters"
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

// Cleanup finds the objects earlier chaosrun runs left on the swarm named
// by the environment (everything labelled chaosrun.run), lists them on w
// and, only when yes, removes them and waits until they are gone. Objects
// without the label are never touched. Do not run it while a chaosrun run
// is using the same swarm: its objects carry the label too.
func Cleanup(ctx context.Context, w io.Writer, yes bool) error {
	return cleanup(ctx, w, yes, filters.NewArgs(filters.Arg("label", RunLabel)))
}

// cleanup is Cleanup for the objects matching args.
func cleanup(ctx context.Context, w io.Writer, yes bool, args filters.Args) error {
	cli, host, err := newClient()
	if err != nil {
		return err
	}
	defer cli.Close()
	if _, _, err := checkManager(ctx, cli, host); err != nil {
		return err
	}
	objs, err := listObjects(ctx, cli, args)
	if err != nil {
		return fmt.Errorf("cleanup: %w", err)
	}
	if len(objs) == 0 {
		fmt.Fprintf(w, "no chaosrun objects on the swarm at %s\n", host)
		return nil
	}
	sort.SliceStable(objs, func(i, j int) bool { return objs[i].run < objs[j].run })
	fmt.Fprintf(w, "%d chaosrun objects on the swarm at %s:\n", len(objs), host)
	for _, o := range objs {
		fmt.Fprintf(w, "  %-8s %-40s run %s\n", o.kind, o.name, o.run)
	}
	if !yes {
		fmt.Fprintln(w, "nothing removed; confirm (--yes) to remove them")
		return nil
	}
	if err := removeAll(ctx, cli, objs); err != nil {
		return fmt.Errorf("cleanup: %w", err)
	}
	fmt.Fprintf(w, "removed %d objects\n", len(objs))
	return nil
}
