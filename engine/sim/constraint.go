package sim

import (
	"fmt"
	"strings"
)

// constraint is one placement constraint, "key==value" or "key!=value"
// (swarmkit manager/constraint, docs/swarm-semantics.md §17).
type constraint struct {
	key, value string
	equal      bool
}

// parseConstraints parses a service's placement constraints as swarm's
// control API does when it validates a spec; an error is the refusal.
func parseConstraints(exprs []string) ([]constraint, error) {
	out := make([]constraint, 0, len(exprs))
	for _, e := range exprs {
		c, err := parseConstraint(e)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func parseConstraint(expr string) (constraint, error) {
	var c constraint
	for _, op := range []string{"==", "!="} {
		if k, v, ok := strings.Cut(expr, op); ok {
			c = constraint{key: strings.TrimSpace(k), value: strings.TrimSpace(v), equal: op == "=="}
			break
		}
	}
	if c.key == "" {
		return c, fmt.Errorf("invalid constraint: %q: want key==value or key!=value", expr)
	}
	if !validConstraintKey(c.key) {
		return c, fmt.Errorf("invalid constraint: %q: unknown key %q (want node.id, node.hostname, node.role, node.platform.os, node.platform.arch, node.labels.<name> or engine.labels.<name>)", expr, c.key)
	}
	if c.value == "" || strings.ContainsAny(c.value, "=!") {
		return c, fmt.Errorf("invalid constraint: %q: bad value %q", expr, c.value)
	}
	return c, nil
}

func validConstraintKey(k string) bool {
	switch strings.ToLower(k) {
	case "node.id", "node.hostname", "node.role", "node.platform.os", "node.platform.arch":
		return true
	}
	lk := strings.ToLower(k)
	for _, p := range []string{"node.labels.", "engine.labels."} {
		if strings.HasPrefix(lk, p) && len(k) > len(p) {
			return true
		}
	}
	return false
}

// matches reports whether node n satisfies c: the key names are matched
// without regard to case, the values of id, hostname, role and platform
// too, label values exactly. A label the node lacks is "" (so != holds).
func (c constraint) matches(n *node) bool {
	have, fold := "", true
	switch lk := strings.ToLower(c.key); {
	case lk == "node.id":
		have = n.id
	case lk == "node.hostname":
		have = n.name
	case lk == "node.role":
		have = n.role
	case lk == "node.platform.os":
		have = "linux"
	case lk == "node.platform.arch":
		have = "x86_64"
	case strings.HasPrefix(lk, "node.labels."):
		have, fold = n.labels[c.key[len("node.labels."):]], false
	case strings.HasPrefix(lk, "engine.labels."):
		have, fold = n.engineLabels[c.key[len("engine.labels."):]], false
	}
	same := have == c.value || (fold && strings.EqualFold(have, c.value))
	return same == c.equal
}
