package recipe

import (
	"maps"
	"testing"
)

// TestAbraShEnv: which lines of an abra.sh count, and what their values are.
func TestAbraShEnv(t *testing.T) {
	tests := []struct {
		name, src string
		want      map[string]string
	}{
		{"plain", "export A_VERSION=v2\n", map[string]string{"A_VERSION": "v2"}},
		{"indented, in a function", "f() {\n  export B=1\n}\n", map[string]string{"B": "1"}},
		{"comment cut", "export C=v3 # bump with the template\n", map[string]string{"C": "v3"}},
		{"double quotes", `export D="a # b"` + "\n", map[string]string{"D": "a # b"}},
		{"single quotes, comment", "export E='v9' # x\n", map[string]string{"E": "v9"}},
		{"no expansion", "export F=$HOME/x\n", map[string]string{"F": "$HOME/x"}},
		{"not exports", "#!/bin/sh\n# export G=1\nG=2\nexportH=3\necho export I=4\nexport 9J=5\n", map[string]string{}},
		{"last wins", "export K=1\nexport K=2\n", map[string]string{"K": "2"}},
		{"empty value", "export L=\n", map[string]string{"L": ""}},
	}
	for _, tt := range tests {
		got, err := AbraShEnv([]byte(tt.src))
		if err != nil || !maps.Equal(got, tt.want) {
			t.Errorf("%s: got %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
}
