package runner

import "testing"

func TestDiff(t *testing.T) {
	tests := []struct{ a, b, want string }{
		{"x\n", "x\n", ""},
		{"a\nb\nc\n", "a\nB\nc\n", "--- want\n+++ got\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"},
		{"", "new\n", "--- want\n+++ got\n@@ -1,0 +1,1 @@\n+new\n"},
	}
	for _, tt := range tests {
		if got := Diff("want", tt.a, "got", tt.b); got != tt.want {
			t.Errorf("Diff(%q, %q):\ngot\n%s\nwant\n%s", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestGoldenPath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"scenarios/discourse_upgrade.star", "golden/scenarios/discourse_upgrade.golden"},
		{"./examples/hello.star", "golden/examples/hello.golden"},
	}
	for _, tt := range tests {
		if got := GoldenPath(tt.in); got != tt.want {
			t.Errorf("GoldenPath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
