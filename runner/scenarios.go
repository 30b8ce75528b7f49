package runner

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// scenarioDirs hold the shipped scenarios, relative to the repository root.
var scenarioDirs = []string{"scenarios", "examples"}

// ScenarioDirs are the folders of shipped scenarios that exist, relative to
// the repository root (the working directory): what `chaosrun test` checks
// when given no path.
func ScenarioDirs() []string {
	var out []string
	for _, p := range scenarioDirs {
		if _, err := os.Stat(p); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// ScenarioFiles expands paths into scenario files, relative and sorted.
// Folders are searched for *.star, skipping lib/ and testdata/ folders.
func ScenarioFiles(paths []string) ([]string, error) {
	var files []string
	for _, p := range paths {
		if filepath.IsAbs(p) || strings.HasPrefix(filepath.Clean(p), "..") {
			return nil, fmt.Errorf("test: %s: give paths inside the repository, relative to it", p)
		}
		err := filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && path != p && (d.Name() == "lib" || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			if !d.IsDir() && strings.HasSuffix(path, ".star") {
				files = append(files, filepath.ToSlash(filepath.Clean(path)))
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("test: %v", err)
		}
	}
	return files, nil
}
