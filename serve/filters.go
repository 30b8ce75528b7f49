package serve

import (
	"fmt"
	"slices"
	"strings"

	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/errdefs"
)

// The list filters dockerd accepts (daemon/cluster/filters.go), with
// swarmkit's meaning: name and id match prefixes, label "k" or "k=v" must
// all match, the rest match exactly. An unknown key is a 400, as on
// dockerd.
var (
	serviceFilters = []string{"name", "id", "label", "mode", "runtime"}
	taskFilters    = []string{"name", "id", "label", "service", "node", "desired-state", "_up-to-date", "runtime"}
	nodeFilters    = []string{"name", "id", "label", "role", "membership", "node.label"}
	secretFilters  = []string{"names", "name", "id", "label"}
	configFilters  = []string{"name", "id", "label"}
	networkFilters = []string{"name", "id", "label", "driver", "scope", "type", "dangling"}
)

// validate refuses keys outside accepted, as a bad request.
func validate(f filters.Args, accepted []string) error {
	ok := map[string]bool{}
	for _, k := range accepted {
		ok[k] = true
	}
	if err := f.Validate(ok); err != nil {
		return errdefs.InvalidParameter(err)
	}
	return nil
}

// prefixOf reports whether any of the wanted prefixes (none: all) starts
// one of the values.
func prefixOf(wanted []string, values ...string) bool {
	if len(wanted) == 0 {
		return true
	}
	for _, w := range wanted {
		for _, v := range values {
			if strings.HasPrefix(v, w) {
				return true
			}
		}
	}
	return false
}

// oneOf reports whether value is one of wanted (none: all).
func oneOf(wanted []string, value string) bool {
	return len(wanted) == 0 || slices.Contains(wanted, value)
}

// labelsMatch reports whether labels hold every "k" and "k=v" of wanted.
func labelsMatch(wanted []string, labels map[string]string) bool {
	for _, w := range wanted {
		k, v, withValue := strings.Cut(w, "=")
		got, ok := labels[k]
		if !ok || withValue && got != v {
			return false
		}
	}
	return true
}

// common is the name, id and label part of most filters.
func common(f filters.Args, name, id string, labels map[string]string) bool {
	return prefixOf(f.Get("name"), name) && prefixOf(f.Get("id"), id) && labelsMatch(f.Get("label"), labels)
}

// badValue is a filter value dockerd refuses, in its words.
func badValue(key, value string) error {
	return errdefs.InvalidParameter(fmt.Errorf("Invalid %s filter: '%s'", key, value))
}
