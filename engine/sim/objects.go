package sim

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"time"

	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/engine"
)

// object is a network, secret or config.
type object struct {
	kind, id, name string
	namespace      string // the stack that created it; "" for the swarm's own
	created        time.Time
	version        uint64
	labels         map[string]string
	data           []byte // a secret's or config's; never printed
}

// Swarm's name rules (swarmkit manager/controlapi/common.go; measured in
// docs/refusals.md): services and networks are DNS labels, secrets and
// configs a wider set.
var (
	dnsName          = regexp.MustCompile(`^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$`)
	secretConfigName = regexp.MustCompile(`^[a-zA-Z0-9]+(?:[a-zA-Z0-9-_.]*[a-zA-Z0-9])?$`)
)

// Swarm's refusals, in its words (docs/refusals.md).
const (
	errDNSName       = "name must be valid as a DNS name component"
	errDNSLength     = "name must be 63 characters or fewer"
	errObjectName    = "invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]"
	errLabelsOnly    = "only updates to Labels are allowed"
	errOutOfSequence = "update out of sequence"
)

// checkName is swarmkit's validateAnnotations (services, networks) or
// validateConfigOrSecretAnnotations (secrets, configs).
func checkName(kind, name string) error {
	switch {
	case name == "":
		return refusal(ErrInvalid, "name must be provided")
	case kind == "secret" || kind == "config":
		if len(name) > 64 || !secretConfigName.MatchString(name) {
			return refusal(ErrInvalid, "%s", errObjectName)
		}
	case !dnsName.MatchString(name):
		return refusal(ErrInvalid, "%s", errDNSName)
	case len(name) > 63:
		return refusal(ErrInvalid, "%s", errDNSLength)
	}
	return nil
}

// checkExternal refuses, like docker/cli's validateExternalNetworks, an
// external network that does not exist; every simulated network is
// swarm-scoped.
func (s *Sim) checkExternal(st engine.Stack) error {
	for _, name := range st.ExternalNetworks {
		if _, ok := s.objects["network/"+name]; engine.CheckedExternal(name) && !ok {
			return fmt.Errorf("deploy stack %s: %w", st.Namespace, engine.ExternalNetworkMissing(name))
		}
	}
	return nil
}

// createObjects does what `docker stack deploy` does before the services,
// in its order: it creates the stack's missing networks, then creates each
// secret and config, or updates it when it exists (labels only: swarm
// refuses a change of data). It stops at the first refusal, keeping what
// it did before it, as the real swarm does.
func (s *Sim) createObjects(st engine.Stack) error {
	for _, name := range slices.Sorted(maps.Keys(st.Networks)) {
		if _, ok := s.objects["network/"+name]; !ok {
			if err := s.createObject("network", name, st.Networks[name].Labels, nil); err != nil {
				return fmt.Errorf("deploy stack %s: %w", st.Namespace, err)
			}
		}
	}
	for _, sec := range st.Secrets {
		if err := s.putObject("secret", sec.Annotations, sec.Data); err != nil {
			return fmt.Errorf("deploy stack %s: %w", st.Namespace, err)
		}
	}
	for _, c := range st.Configs {
		if err := s.putObject("config", c.Annotations, c.Data); err != nil {
			return fmt.Errorf("deploy stack %s: %w", st.Namespace, err)
		}
	}
	return nil
}

// putObject creates a secret or config, or updates the one of that name
// at its current version.
func (s *Sim) putObject(kind string, a swarm.Annotations, data []byte) error {
	o, ok := s.objects[kind+"/"+a.Name]
	if !ok {
		return s.createObject(kind, a.Name, a.Labels, data)
	}
	return s.updateObject(o, o.version, a.Labels, data)
}

// createObject is swarm's create of a network, secret or config. It
// belongs to the stack its namespace label names, as docker stack rm finds
// it (none for the swarm's own networks).
func (s *Sim) createObject(kind, name string, labels map[string]string, data []byte) error {
	if err := checkName(kind, name); err != nil {
		return fmt.Errorf("create %s %s: %w", kind, name, err)
	}
	s.raft++
	s.objects[kind+"/"+name] = &object{kind: kind, id: s.objectID(kind, name), name: name, namespace: labels[engine.NamespaceLabel], created: s.now(),
		version: s.raft, labels: maps.Clone(labels), data: bytes.Clone(data)}
	return nil
}

// updateObject is controlapi's UpdateSecret and UpdateConfig: only the
// labels may change (nil data means unchanged), at the current version.
func (s *Sim) updateObject(o *object, version uint64, labels map[string]string, data []byte) error {
	if version != o.version {
		return fmt.Errorf("update %s %s at version %d: %s", o.kind, o.name, version, errOutOfSequence)
	}
	if data != nil && !bytes.Equal(data, o.data) {
		return fmt.Errorf("update %s %s: %s", o.kind, o.name, errLabelsOnly)
	}
	s.raft++
	o.version, o.labels = s.raft, maps.Clone(labels)
	return nil
}

// DefaultNetwork is the overlay network a Co-op Cloud server has, which
// nearly every recipe joins as external: the simulated swarm starts with it
// (docs/refusals.md).
const DefaultNetwork = "proxy"

// AddNetwork creates a swarm-scoped network outside any stack, as an
// operator does with `docker network create -d overlay`. Its ID is not
// drawn from the seeded source, so shaping the swarm leaves the run's other
// random draws as they were.
func (s *Sim) AddNetwork(name string) error {
	s.lock()
	defer s.unlock()
	return s.addNetwork(name)
}

func (s *Sim) addNetwork(name string) error {
	if _, ok := s.objects["network/"+name]; ok {
		return refusal(ErrConflict, "network %s already exists", name)
	}
	if err := checkName("network", name); err != nil {
		return fmt.Errorf("create network %s: %w", name, err)
	}
	s.raft++
	s.objects["network/"+name] = &object{kind: "network", id: "network-" + name, name: name, created: s.now(), version: s.raft}
	return nil
}

// RemoveNetwork removes a network, such as DefaultNetwork, that no stack
// created; a stack's networks go with the stack (Remove).
func (s *Sim) RemoveNetwork(name string) error {
	s.lock()
	defer s.unlock()
	o, ok := s.objects["network/"+name]
	switch {
	case !ok:
		return fmt.Errorf("remove network %s: no such network", name)
	case o.namespace != "":
		return fmt.Errorf("remove network %s: it belongs to stack %s; remove the stack instead", name, o.namespace)
	}
	delete(s.objects, "network/"+name)
	return nil
}

// Kinds of refusal the simulator's errors wrap, so that a caller can
// answer as swarm does (sim serve's HTTP statuses) without reading
// messages; the messages stay swarm's.
var (
	// ErrInvalid is a request swarm refuses as invalid: a bad name, an
	// ambiguous ID prefix, an object still in use.
	ErrInvalid = errors.New("invalid request")
	// ErrConflict is a name already taken.
	ErrConflict = errors.New("name conflict")
)

// kindError is err, marked as being of kind (ErrInvalid, ErrConflict).
type kindError struct{ err, kind error }

func (e kindError) Error() string   { return e.err.Error() }
func (e kindError) Unwrap() []error { return []error{e.err, e.kind} }

// refusal marks a formatted error as being of kind.
func refusal(kind error, format string, args ...any) error {
	return kindError{err: fmt.Errorf(format, args...), kind: kind}
}
