package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The --html pages are checked in a real browser: headless Chromium
// (Debian's chromium package, which .ci/test-tools-setup.sh installs) loads each page
// from its file, as a user opening it would, and the test reads the
// rendered DOM. CI keeps a screenshot of the discourse upgrade timeline in
// $CHAOSRUN_ARTIFACTS.

// browser starts headless Chromium for one test; without it the test
// skips, except in CI, where that is a failure.
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is not installed (.ci/test-tools-setup.sh installs Debian's chromium package)")
		}
		t.Skip("chromium is not installed: apt-get install -y chromium to run the browser tests")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1400, 1000),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	return ctx
}

// pageErrors collects what the page reports as going wrong: uncaught
// exceptions, console errors and warnings, and the browser log's errors
// (a resource it could not load, say).
type pageErrors struct {
	mu   sync.Mutex
	list []string
}

func (p *pageErrors) listen(ctx context.Context) {
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.IsException() || m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleWarning {
				p.mu.Lock()
				p.list = append(p.list, fmt.Sprintf("%s: %s %s", m.Type, m.Text, m.URL))
				p.mu.Unlock()
			}
		}
	}()
}

func (p *pageErrors) check(t *testing.T) {
	t.Helper()
	time.Sleep(200 * time.Millisecond) // let messages in flight arrive
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, e := range p.list {
		t.Errorf("the page reported %s", e)
	}
}

// open loads a page file and waits for it, collecting its errors.
func open(t *testing.T, ctx context.Context, file string) *pageErrors {
	t.Helper()
	abs, err := filepath.Abs(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx); err != nil { // start the browser and its tab
		t.Fatalf("start chromium: %v", err)
	}
	errs := &pageErrors{}
	errs.listen(ctx)
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+abs), chromedp.WaitReady("body")); err != nil {
		t.Fatalf("open %s: %v", file, err)
	}
	return errs
}

// count is how many elements match a CSS selector in the rendered page.
func count(t *testing.T, ctx context.Context, selector string) int {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](fmt.Sprintf("document.querySelectorAll(%q).length", selector)))
	if err != nil {
		t.Fatalf("count %s: %v", selector, err)
	}
	return n
}

func evalString(t *testing.T, ctx context.Context, js string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return s
}

func click(t *testing.T, ctx context.Context, selector string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Click(selector)); err != nil {
		t.Fatalf("click %s: %v", selector, err)
	}
}

func TestTimelineInABrowser(t *testing.T) {
	ctx := browser(t)
	page := filepath.Join(t.TempDir(), "discourse_upgrade.html")
	if code, _, stderr := runAt(t, "../..", "scenarios/discourse_upgrade.star", "--html", page); code != 0 {
		t.Fatalf("chaosrun --html exited %d: %s", code, stderr)
	}
	info, err := os.Stat(page)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the discourse upgrade page is %d bytes", info.Size())
	if info.Size() > 256<<10 { // docs/timeline.md: about 75 KB
		t.Errorf("the discourse upgrade page is %d bytes, want well under 1 MB (at most 256 KiB)", info.Size())
	}
	errs := open(t, ctx, page)
	if n := count(t, ctx, "section.case"); n != 4 {
		t.Errorf("%d case sections, want the 4 cases of discourse_upgrade.star", n)
	}
	// Each case shows the three services' lanes, the update bands and the
	// markers of what the scenario did.
	for sel, atLeast := range map[string]int{
		"svg.timeline text.service":                    4 * 3,
		"svg.timeline text.lane":                       4 * 3,
		"svg.timeline .task":                           4 * 3,
		"svg.timeline .band.s-rollback_started":        1,
		"svg.timeline .band.s-updating":                1,
		"svg.timeline .band.s-completed":               1,
		"svg.timeline .marker.m-deploy":                8,
		"svg.timeline .marker.m-checkout":              8,
		"svg.timeline .marker.m-verdict":               4,
		"svg.timeline .task .cap.s-failed":             1,
		".transcript li":                               30,
		"#case2 svg.timeline .band.s-rollback_started": 1,
	} {
		if n := count(t, ctx, sel); n < atLeast {
			t.Errorf("%d elements match %s, want at least %d", n, sel, atLeast)
		}
	}
	// The rollback case names the failed task of its verdict (x4) with
	// its spec and error in the task's details.
	failed := evalString(t, ctx, `[...document.querySelectorAll("#case2 .task")].map(g => g.querySelector("title").textContent).find(s => s.includes(" failed")) || ""`)
	for _, want := range []string{"task x4 (", "spec chaos-version 6a8aa43f+U", "starting", "failed", "error: task: non-zero exit (137)"} {
		if !strings.Contains(failed, want) {
			t.Errorf("failed task's details %q lack %q", failed, want)
		}
	}
	// Clicking a task keeps its details; clicking a transcript line puts
	// the cursor at its moment.
	click(t, ctx, "#case2 svg.timeline .task")
	if d := evalString(t, ctx, `document.querySelector("#case2 .detail").textContent`); !strings.HasPrefix(d, "task ") {
		t.Errorf("after a click the details read %q, want a task's", d)
	}
	click(t, ctx, "#case2-l8")
	if v := evalString(t, ctx, `document.querySelector("#case2 svg.timeline .cursor").getAttribute("visibility")`); v != "visible" {
		t.Errorf("after clicking a transcript line the cursor is %q, want visible", v)
	}
	saveScreenshot(t, ctx, "discourse_upgrade_timeline.png")
	errs.check(t)
}

func TestExploreReportInABrowser(t *testing.T) {
	ctx := browser(t)
	page := filepath.Join(t.TempDir(), "explore.html")
	code, _, stderr := runAt(t, "../..", "explore", "scenarios/discourse_rollback_rate.star", "--runs", "300", "--html", page)
	if code != exitFailed { // start-first rolls back in some seeds
		t.Fatalf("explore exited %d, want %d: %s", code, exitFailed, stderr)
	}
	errs := open(t, ctx, page)
	if n := count(t, ctx, ".explore-case"); n != 2 {
		t.Errorf("%d explore cases, want 2", n)
	}
	first := evalString(t, ctx, `document.querySelector(".explore-case .draw h4").textContent`)
	if first != "host_load node-1" {
		t.Errorf("the best separating draw is %q, want host_load node-1", first)
	}
	for sel, atLeast := range map[string]int{
		".failure":                        1,
		".failure .seeds button":          10,
		".draw svg.hist rect.pass":        5,
		".draw svg.hist rect.fail":        5,
		"section.case":                    2, // a failing and a passing seed's timelines
		"section.case svg.timeline .task": 3,
	} {
		if n := count(t, ctx, sel); n < atLeast {
			t.Errorf("%d elements match %s, want at least %d", n, sel, atLeast)
		}
	}
	// A failure links to its first seed's timeline, and clicking a seed
	// shows the command that replays it.
	if href := evalString(t, ctx, `document.querySelector(".failure a").getAttribute("href")`); count(t, ctx, href+" svg.timeline") == 0 {
		t.Errorf("the failure links to %q, which holds no timeline", href)
	}
	click(t, ctx, ".failure .seeds button:nth-of-type(3)")
	seed := evalString(t, ctx, `document.querySelector(".failure .seeds button:nth-of-type(3)").dataset.seed`)
	replay := evalString(t, ctx, `document.querySelector(".failure .replay code").textContent`)
	if !strings.HasSuffix(replay, "--seed "+seed) || !strings.Contains(replay, "--run test_start_first_upgrade") {
		t.Errorf("after clicking seed %s the replay command is %q", seed, replay)
	}
	errs.check(t)
}

// saveScreenshot keeps a full-page screenshot in $CHAOSRUN_ARTIFACTS,
// when set (CI sets it).
func saveScreenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("CHAOSRUN_ARTIFACTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot in %s", filepath.Join(dir, name))
}

// runAt runs the binary in dir and returns its exit code and output.
func runAt(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(chaosrunBin, args...)
	cmd.Dir = dir
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitCmd(t, cmd, 2*time.Minute)
	return cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()
}
