package recipe

import (
	"os"
	"path/filepath"
	"testing"
)

// TestMain points HOME and XDG_CONFIG_HOME at an empty folder so that no
// test sees the user's global git configuration or excludes file, which
// the chaos version reads.
func TestMain(m *testing.M) {
	home, err := os.MkdirTemp("", "chaosrun-recipe-home-")
	if err != nil {
		panic(err)
	}
	os.Setenv("HOME", home)
	os.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	os.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	code := m.Run()
	os.RemoveAll(home)
	os.Exit(code)
}
