package recipe

import (
	"maps"
	"slices"
	"testing"

	composetypes "github.com/docker/cli/cli/compose/types"
)

// TestConvertNetworks checks that external networks reach the engine as
// Stack.ExternalNetworks (for it to check, docs/refusals.md) and the
// others as Stack.Networks, by their full names.
func TestConvertNetworks(t *testing.T) {
	ext := func(name string) composetypes.NetworkConfig {
		return composetypes.NetworkConfig{Name: name, External: composetypes.External{External: true}}
	}
	tests := []struct {
		name         string
		joins        []string
		networks     map[string]composetypes.NetworkConfig
		wantExternal []string
		wantCreated  []string
	}{
		{"no networks: the default", nil, nil, []string{}, []string{"st_default"}},
		{"proxy external", []string{"proxy", "internal"},
			map[string]composetypes.NetworkConfig{"proxy": ext("proxy"), "internal": {}},
			[]string{"proxy"}, []string{"st_internal"}},
		{"external under another name", []string{"web"},
			map[string]composetypes.NetworkConfig{"web": ext("traefik_public")},
			[]string{"traefik_public"}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := composetypes.ServiceConfig{Name: "app", Image: "x"}
			if tt.joins != nil {
				svc.Networks = map[string]*composetypes.ServiceNetworkConfig{}
				for _, n := range tt.joins {
					svc.Networks[n] = nil
				}
			}
			cfg := &composetypes.Config{Services: []composetypes.ServiceConfig{svc}, Networks: tt.networks}
			st, err := convertStack("st", cfg, "")
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(st.ExternalNetworks, tt.wantExternal) {
				t.Errorf("ExternalNetworks = %q, want %q", st.ExternalNetworks, tt.wantExternal)
			}
			if got := slices.Sorted(maps.Keys(st.Networks)); !slices.Equal(got, tt.wantCreated) && len(got)+len(tt.wantCreated) > 0 {
				t.Errorf("Networks = %q, want %q", got, tt.wantCreated)
			}
		})
	}
}
