//go:build !linux

package procid

// startMark is "" where there is no /proc to read start times from.
func startMark(pid int) string { return "" }

// zombie is false where there is no /proc to read process states from.
func zombie(pid int) bool { return false }
