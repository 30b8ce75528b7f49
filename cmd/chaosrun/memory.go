package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"

	"go.starlark.net/starlark"

	"github.com/coop-cloud/chaosrun/builtins"
)

// flagMaxMemory bounds the heap while cases run (interp.Options.MemoryBudget).
const flagMaxMemory = "max-memory"

// memoryBudget is --max-memory in bytes: as given ("0" for none), or by
// default a quarter of the memory this process may use (its cgroup's limit,
// else the machine's), so that a script that allocates without end fails
// its case with a message while the process, and the transcript so far,
// survive even if the last allocation doubled the heap.
func memoryBudget(flag string) (uint64, error) {
	if flag == "" {
		if total := availableMemory(); total > 0 {
			return total / 4, nil
		}
		return 0, nil
	}
	if flag == "0" {
		return 0, nil
	}
	var s builtins.Size
	if err := s.Unpack(starlark.String(flag)); err != nil {
		return 0, fmt.Errorf("--%s: %v", flagMaxMemory, err)
	}
	return uint64(s), nil
}

// availableMemory is the cgroup v2 memory limit of this process, or the
// machine's total memory, in bytes; 0 when neither can be read.
func availableMemory() uint64 {
	if data, err := os.ReadFile("/sys/fs/cgroup/memory.max"); err == nil {
		if n, err := strconv.ParseUint(strings.TrimSpace(string(data)), 10, 64); err == nil {
			return n
		}
	}
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	return 0
}
