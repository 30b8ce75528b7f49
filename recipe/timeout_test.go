package recipe

import (
	"testing"
	"time"
)

func TestTimeout(t *testing.T) {
	tests := []struct {
		env    map[string]string
		want   time.Duration
		wantOK bool
		bad    bool
	}{
		{nil, 300 * time.Second, true, false},
		{map[string]string{"TIMEOUT": "2400"}, 2400 * time.Second, true, false},
		{map[string]string{"TIMEOUT": "soon"}, 0, false, true},
	}
	for _, tt := range tests {
		f, a := fixtureApp(t, tt.env)
		removeOverlay(t, f)
		d, err := a.Build(StackOptions{Chaos: true})
		if err != nil {
			t.Fatal(err)
		}
		got, ok, err := d.Timeout()
		if got != tt.want || ok != tt.wantOK || (err != nil) != tt.bad {
			t.Errorf("Timeout with %v = %v, %v, %v", tt.env, got, ok, err)
		}
	}
}
