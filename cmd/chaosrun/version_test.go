package main

import (
	"os/exec"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionText(t *testing.T) {
	vcs := func(kv ...string) []debug.BuildSetting {
		var s []debug.BuildSetting
		for i := 0; i < len(kv); i += 2 {
			s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return s
	}
	tests := []struct {
		name, linked string
		info         *debug.BuildInfo
		want         string
	}{
		{"linked wins", "v1.2.0", &debug.BuildInfo{GoVersion: "go1.26.1", Main: debug.Module{Version: "(devel)"}},
			"chaosrun v1.2.0, go1.26.1\n"},
		{"go install @version", "", &debug.BuildInfo{GoVersion: "go1.26.1", Main: debug.Module{Version: "v1.3.0"}},
			"chaosrun v1.3.0, go1.26.1\n"},
		{"a checkout", "", &debug.BuildInfo{GoVersion: "go1.26.1", Main: debug.Module{Version: "(devel)"},
			Settings: vcs("vcs.revision", "d66bdea0123456789abcdef", "vcs.time", "2026-12-01T22:00:00Z", "vcs.modified", "true")},
			"chaosrun (devel), commit d66bdea01234 (2026-12-01T22:00:00Z, modified), go1.26.1\n"},
		{"a clean checkout", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"},
			Settings: vcs("vcs.revision", "d66bdea0123456789abcdef", "vcs.modified", "false")},
			"chaosrun (devel), commit d66bdea01234\n"},
		{"no build info", "", nil, "chaosrun (unknown)\n"},
	}
	for _, tt := range tests {
		if got := versionText(tt.linked, tt.info, tt.info != nil); got != tt.want {
			t.Errorf("%s: versionText = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestVersionFlag runs the binary: --version prints one line and exits 0,
// and -v is still run's --verbose.
func TestVersionFlag(t *testing.T) {
	out, err := exec.Command(chaosrunBin, "--version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "chaosrun ") || strings.Count(string(out), "\n") != 1 {
		t.Errorf("chaosrun --version: %v\n%s", err, out)
	}
	out, err = exec.Command(chaosrunBin, "-v", "testdata/passes.star").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "PASS: 1 passed") {
		t.Errorf("chaosrun -v testdata/passes.star: %v\n%s", err, out)
	}
}
