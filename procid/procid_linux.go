package procid

import (
	"os"
	"strconv"
	"strings"
)

// startMark is "<boot id>/<pid namespace>/<start ticks>" for process pid,
// or "" when it cannot be read. The pid namespace is this process's own:
// /proc shows the pids of the namespace it is mounted for, which is ours.
func startMark(pid int) string {
	boot, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	ns, err := os.Readlink("/proc/self/ns/pid")
	if err != nil {
		return ""
	}
	ticks, _ := procStat(pid)
	if ticks == "" {
		return ""
	}
	return strings.TrimSpace(string(boot)) + "/" + strings.TrimSuffix(strings.TrimPrefix(ns, "pid:["), "]") + "/" + ticks
}

// zombie reports whether process pid has exited and waits to be reaped.
func zombie(pid int) bool {
	_, z := procStat(pid)
	return z
}

// procStat reads /proc/<pid>/stat: field 22, the process's start time in
// clock ticks since boot ("" when it cannot be read), and whether field 3,
// its state, is Z (a zombie).
func procStat(pid int) (ticks string, zombie bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return "", false
	}
	// The command name (field 2) is in parentheses and may hold spaces
	// and parentheses: count fields after the last ')'.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return "", false
	}
	f := strings.Fields(s[i+1:])
	const stateField, startField = 3 - 3, 22 - 3 // fields after ')' begin at field 3
	if len(f) <= startField {
		return "", false
	}
	if _, err := strconv.ParseUint(f[startField], 10, 64); err != nil {
		return "", false
	}
	return f[startField], f[stateField] == "Z"
}
