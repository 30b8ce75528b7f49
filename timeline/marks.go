package timeline

import (
	"strings"

	"github.com/coop-cloud/chaosrun/interp"
)

// Marker kinds: the transcript events the timeline marks.
const (
	MarkDeploy   = "deploy"
	MarkFault    = "fault"
	MarkCheckout = "checkout"
	MarkVerdict  = "verdict"
	MarkFailure  = "failure"
	MarkRemove   = "remove"
	MarkNode     = "node"
)

// markOf says which marker a transcript event gets: deploys (a fault
// marker for one that injects faults), checkouts, verdicts, stack
// removals, node changes, and failed cleanups as failures.
func markOf(e interp.Event) string {
	switch e.Kind {
	case "deploy":
		if strings.Contains(e.Msg, " fault ") {
			return MarkFault
		}
		return MarkDeploy
	case "git":
		if strings.HasPrefix(e.Msg, "checkout ") || strings.Contains(e.Msg, ": checkout ") {
			return MarkCheckout
		}
	case "verdict":
		return MarkVerdict
	case "remove":
		return MarkRemove
	case "node":
		return MarkNode
	case "cleanup":
		return MarkFailure
	}
	return ""
}
