package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"
)

// flagVarFile names files of key=value lines for the vars dict.
const flagVarFile = "var-file"

func varFileFlag() cli.Flag {
	return &cli.StringSliceFlag{Name: flagVarFile, Usage: "`FILE` of key=value lines (# comments, blank lines) for the vars dict, read before --var (repeatable)"}
}

// varsFrom is the vars dict of a command: its --var-file files in order,
// then its --var pairs, a later value of a key replacing an earlier one.
// A value is everything after the first "=", commas included
// (--var recipes=a,b,c is one value).
func varsFrom(c *cli.Context) (map[string]string, error) {
	vars := map[string]string{}
	for _, file := range c.StringSlice(flagVarFile) {
		if err := readVarFile(file, vars); err != nil {
			return nil, err
		}
	}
	for _, kv := range c.StringSlice(flagVar) {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("bad --var %q: want key=value", cut(kv))
		}
		vars[k] = v
	}
	return vars, nil
}

// maxVarFile bounds a --var-file: vars are settings, not data.
const maxVarFile = 1 << 20

// readVarFile adds the key=value lines of file to vars.
func readVarFile(file string, vars map[string]string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("--%s: %v", flagVarFile, err)
	}
	if len(data) > maxVarFile {
		return fmt.Errorf("--%s %s: %d bytes, want at most 1MiB", flagVarFile, file, len(data))
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, maxVarFile)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if k = strings.TrimSpace(k); !ok || k == "" {
			return fmt.Errorf("--%s %s:%d: got %q, want key=value", flagVarFile, file, n, cut(line))
		}
		vars[k] = strings.TrimSpace(v)
	}
	return nil
}

// cut shortens echoed input to a line's worth.
func cut(s string) string {
	if len(s) <= 80 {
		return s
	}
	return fmt.Sprintf("%s... (%d bytes)", s[:80], len(s))
}
