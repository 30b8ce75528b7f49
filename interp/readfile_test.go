package interp

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestReadSourceRefuses checks that readSource refuses what would hang or
// exhaust memory (README, Limits), and reads a file at the limit.
func TestReadSourceRefuses(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "f.star")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	big, limit := filepath.Join(dir, "big.star"), filepath.Join(dir, "limit.star")
	os.WriteFile(big, make([]byte, MaxSourceBytes+1), 0o644)
	os.WriteFile(limit, make([]byte, MaxSourceBytes), 0o644)
	for _, tc := range []struct{ path, want string }{
		{fifo, "f.star: not a regular file (a FIFO), want a scenario file"},
		{"/dev/zero", "/dev/zero: not a regular file (a device), want a scenario file"},
		{dir, "not a regular file (a directory)"},
		{big, "big.star: larger than 4MiB, the most a scenario file may hold"},
		{limit, ""},
	} {
		_, err := readSource(tc.path)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.path, err)
		case tc.want != "" && (err == nil || !strings.Contains(readError(tc.path, err), tc.want)):
			t.Errorf("%s: got %v, want %q", tc.path, err, tc.want)
		}
	}
}
