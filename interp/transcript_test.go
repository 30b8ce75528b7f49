package interp

import (
	"strings"
	"testing"
	"time"
)

// TestTranscriptFoldsRepetitions: a run of up to four events recorded over
// and over is kept twice and then counted; what breaks the repetition, and
// a repetition cut short, are kept as they came. The live sink sees the
// same lines as the stored transcript.
func TestTranscriptFoldsRepetitions(t *testing.T) {
	tests := []struct {
		name string
		in   string // one event per letter: its message, one second apart
		want string
	}{
		{"no repetition", "abcd", "a b c d"},
		{"twice is kept", "aa", "a a"},
		{"one event", "aaaaab", "a a repeat(1,3,5s) b"},
		{"one more", "aaa", "a a repeat(1,1,3s)"},
		{"two events", "abababab", "a b a b repeat(2,2,8s)"},
		{"cut short", "abababac", "a b a b repeat(2,1,6s) a c"},
		{"four events", "abcdabcdabcdx", "a b c d a b c d repeat(4,1,12s) x"},
		{"five is not folded", "abcdeabcdeabcde", "a b c d e a b c d e a b c d e"},
		{"pending starts a new fold", "ababaaaa", "a b a b a a repeat(1,2,8s)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var live []string
			tr := NewTranscript(func(e Event) { live = append(live, short(e)) })
			for i, c := range tt.in {
				tr.Add(Event{At: time.Duration(i+1) * time.Second, Thread: "main", Kind: "print", Msg: string(c)})
			}
			var stored []string
			for _, e := range tr.Events() {
				stored = append(stored, short(e))
			}
			if got := strings.Join(stored, " "); got != tt.want {
				t.Errorf("Events: %s, want %s", got, tt.want)
			}
			tr.Flush()
			if got := strings.Join(live, " "); got != tt.want {
				t.Errorf("sink: %s, want %s", got, tt.want)
			}
		})
	}
}

func short(e Event) string {
	if e.Kind == "repeat" {
		return "repeat(" + e.Fields["period"] + "," + e.Fields["count"] + "," + FormatOffset(e.At) + ")"
	}
	return e.Msg
}
