package sim

import (
	"fmt"
	"regexp"
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
	for _, op := range []string{"==", "!="} {
		k, v, ok := strings.Cut(expr, op)
		if !ok {
			continue
		}
		c := constraint{key: strings.TrimSpace(k), value: strings.TrimSpace(v), equal: op == "=="}
		if !constraintKey.MatchString(c.key) {
			return c, fmt.Errorf("key '%s' is invalid", c.key)
		}
		if !constraintValue.MatchString(c.value) {
			return c, fmt.Errorf("value '%s' is invalid", c.value)
		}
		return c, nil
	}
	return constraint{}, fmt.Errorf("constraint expected one operator from ==, !=")
}

// What swarmkit's parser accepts as a key and a value: keys are not
// checked against the known ones (an unknown key never matches), values
// may not be empty or hold '=', ',' and a few other characters.
var (
	constraintKey   = regexp.MustCompile(`^(?i)[a-z_][a-z0-9\-_.]+$`)
	constraintValue = regexp.MustCompile(`^(?i)[a-z0-9:\-_\s\.\*\(\)\?\+\[\]\\\^\$\|\/]+$`)
)

// meetAll reports whether node n satisfies every constraint of cs.
func meetAll(cs []constraint, n *node) bool {
	for _, c := range cs {
		if !c.matches(n) {
			return false
		}
	}
	return true
}

// nodeLabel is the value of a node.labels.<name> or engine.labels.<name>
// key on n (the prefix in any case, the name exactly; "" when n lacks
// it), and whether key is such a key.
func nodeLabel(n *node, key string) (string, bool) {
	switch lk := strings.ToLower(key); {
	case strings.HasPrefix(lk, "node.labels."):
		return n.labels[key[len("node.labels."):]], true
	case strings.HasPrefix(lk, "engine.labels."):
		return n.engineLabels[key[len("engine.labels."):]], true
	}
	return "", false
}

// matches reports whether node n satisfies c: key names and their
// prefixes in any case, label names exactly, values in any case. A label
// the node lacks is "" (so == fails and != holds); an unknown key (and
// node.ip, which the simulator's nodes lack) never matches.
func (c constraint) matches(n *node) bool {
	have, ok := nodeLabel(n, c.key)
	switch lk := strings.ToLower(c.key); {
	case ok:
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
	default:
		return false
	}
	return strings.EqualFold(have, c.value) == c.equal
}
