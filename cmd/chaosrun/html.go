package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/urfave/cli/v2"

	"github.com/coop-cloud/chaosrun/interp"
	"github.com/coop-cloud/chaosrun/runner"
	"github.com/coop-cloud/chaosrun/timeline"
)

const flagHTML = "html"

func htmlFlag(usage string) cli.Flag {
	return &cli.StringFlag{Name: flagHTML, Usage: usage}
}

const htmlUsage = "also write each case's timeline to `FILE`, one self-contained HTML page, when the run ends"

// htmlReport gathers the timelines of a run's cases for --html; a nil
// report (no --html) does nothing.
type htmlReport struct {
	path  string
	title string
	rec   *runner.Recordings
	mu    sync.Mutex
	cases []timeline.Case
}

// newHTMLReport checks that path can be written and sets cfg to record
// the cases' engine changes; it returns nil when path is "".
func newHTMLReport(path, title string, cfg *runner.Config) (*htmlReport, error) {
	if path == "" {
		return nil, nil
	}
	if err := checkWritable(path); err != nil {
		return nil, usageError(err)
	}
	cfg.Recordings = runner.NewRecordings()
	return &htmlReport{path: path, title: title, rec: cfg.Recordings}, nil
}

// checkWritable fails early, before anything runs, when path's folder
// is missing or path cannot be created; it leaves no file behind.
func checkWritable(path string) error {
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return fmt.Errorf("--html %s: no folder %s to write it in", path, dir)
	}
	f, err := os.CreateTemp(dir, ".chaosrun-html-*")
	if err != nil {
		return fmt.Errorf("--html %s: cannot write in %s: %v", path, dir, errors.Unwrap(err))
	}
	f.Close()
	return os.Remove(f.Name())
}

// caseDone adds a finished case's timeline; a module's top level that
// loaded fine has none worth showing.
func (h *htmlReport) caseDone(file string, r interp.CaseResult, cfg runner.Config) {
	if h == nil {
		return
	}
	rerun := ""
	if r.Name != interp.LoadCase && file != interp.SessionFile {
		rerun = rerunCommand(file, r.Name, cfg)
	}
	c := h.rec.Timeline(file, r, cfg, r.Detail, rerun)
	if r.Name == interp.LoadCase && r.Passed() {
		return
	}
	h.mu.Lock()
	h.cases = append(h.cases, c)
	h.mu.Unlock()
}

// file adds the timelines of every case of a file's result.
func (h *htmlReport) file(res *interp.FileResult, cfg runner.Config) {
	if h == nil {
		return
	}
	for _, r := range res.Cases {
		h.caseDone(res.File, r, cfg)
	}
}

// write writes the page: to a temporary file first, so that a page that
// cannot be finished leaves the last good one in place.
func (h *htmlReport) write() error {
	if h == nil {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	var b bytes.Buffer
	if err := timeline.WriteCases(&b, h.title, h.cases); err != nil {
		return fmt.Errorf("--html: %v", err)
	}
	if err := writeAtomically(h.path, b.Bytes()); err != nil {
		return fmt.Errorf("--html %s: %v", h.path, err)
	}
	return nil
}

// writeAtomically replaces path by data through a temporary file in the
// same folder.
func writeAtomically(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".chaosrun-html-*")
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		os.Remove(f.Name())
		return err
	}
	return nil
}
