package recipe

import (
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"

	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/engine"
)

// DefaultSecretLength is the length of a generated secret without a
// `# length=N` modifier.
const DefaultSecretLength = 32

// MaxSecretLength is the longest secret chaosrun generates, from a
// `# length=N` modifier (README, "Limits"): a length of two billion took
// minutes of crypto/rand.
const MaxSecretLength = 4096

// Secret is an external secret an app's compose files declare, named
// ${STACK_NAME}_<name>_${SECRET_<NAME>_VERSION} by recipe convention [V].
type Secret struct {
	// Local is the compose name, e.g. db_password.
	Local string
	// Name is the swarm secret's name after interpolation.
	Name string
	// Length of a generated value: the env file's `# length=N` on
	// SECRET_<NAME>_VERSION, else DefaultSecretLength.
	Length int
	// Generate is false when the env file says `# generate=false` [V for
	// the convention].
	Generate bool
}

// SecretVersionKey is the env key holding a secret's version,
// SECRET_<NAME>_VERSION.
func SecretVersionKey(local string) string {
	return "SECRET_" + strings.ToUpper(local) + "_VERSION"
}

// Secrets lists the external secrets the compose configuration declares,
// sorted by local name.
func (a *App) Secrets(c *Compose) ([]Secret, error) {
	var out []Secret
	for local, sc := range c.Config.Secrets {
		if !sc.External.External {
			continue
		}
		s := Secret{Local: local, Name: sc.Name, Length: DefaultSecretLength, Generate: true}
		if s.Name == "" {
			s.Name = local
		}
		mods := a.Modifiers[SecretVersionKey(local)]
		if v, ok := mods["length"]; ok {
			n, msg := secretLength(v)
			if msg != "" {
				return nil, fmt.Errorf("%s: %s", echoRaw(SecretVersionKey(local)), msg)
			}
			s.Length = n
		}
		if mods["generate"] == "false" {
			s.Generate = false
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Local < out[j].Local })
	return out, nil
}

// secretLength reads a `# length=N` modifier's value; it returns the length
// and an error message or "".
func secretLength(v string) (int, string) {
	if overSecretLimit(v) {
		return 0, fmt.Sprintf("length=%s is over the %d limit for a generated secret", echoRaw(v), MaxSecretLength)
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, "bad length=" + echoRaw(v)
	}
	return n, ""
}

// overSecretLimit reports whether v is a whole number over MaxSecretLength.
func overSecretLimit(v string) bool {
	n, err := strconv.Atoi(v)
	return errors.Is(err, strconv.ErrRange) && !strings.HasPrefix(v, "-") || err == nil && n > MaxSecretLength
}

// SecretError is abra's deploy-time refusal for a secret missing on the
// swarm [D]: "secret not generated: <name>", or with Inserted "secret not
// inserted (#generate=false): <name>" for one the operator must insert.
type SecretError struct {
	Local    string
	Inserted bool
}

func (e *SecretError) Error() string {
	if e.Inserted {
		return "secret not inserted (#generate=false): " + e.Local
	}
	return "secret not generated: " + e.Local
}

// CheckSecrets returns a *SecretError for the first secret (in local-name
// order) whose full name is not among existing, as abra's validateSecrets
// does after computing the deploy version [V].
func CheckSecrets(secrets []Secret, existing []string) error {
	if missing := MissingSecrets(secrets, existing); len(missing) > 0 {
		return &SecretError{Local: missing[0].Local, Inserted: !missing[0].Generate}
	}
	return nil
}

// MissingSecrets returns the secrets, in their order, whose full name is
// not among existing.
func MissingSecrets(secrets []Secret, existing []string) []Secret {
	have := map[string]bool{}
	for _, n := range existing {
		have[n] = true
	}
	var missing []Secret
	for _, s := range secrets {
		if !have[s.Name] {
			missing = append(missing, s)
		}
	}
	return missing
}

const secretAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// GenerateSecret makes a swarm secret with a random alphanumeric value of
// s.Length characters from crypto/rand, labelled with the stack namespace.
// abra's generator alphabet is not verified [M].
func GenerateSecret(s Secret, namespace string) (swarm.SecretSpec, error) {
	n := s.Length
	if n <= 0 {
		n = DefaultSecretLength
	}
	buf := make([]byte, n)
	max := big.NewInt(int64(len(secretAlphabet)))
	for i := range buf {
		k, err := rand.Int(rand.Reader, max)
		if err != nil {
			return swarm.SecretSpec{}, err
		}
		buf[i] = secretAlphabet[k.Int64()]
	}
	return swarm.SecretSpec{
		Annotations: swarm.Annotations{Name: s.Name, Labels: map[string]string{engine.NamespaceLabel: namespace}},
		Data:        buf,
	}, nil
}
