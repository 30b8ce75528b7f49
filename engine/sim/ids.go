package sim

const idAlphabet = "0123456789abcdefghijklmnopqrstuvwxyz"

// newID returns a 25-character lower-case alphanumeric ID like swarm's,
// drawn from the simulator's random source.
func (s *Sim) newID() string {
	var b [25]byte
	for i := range b {
		b[i] = idAlphabet[s.rng.IntN(len(idAlphabet))]
	}
	return string(b[:])
}

// newContainerID returns a 64-character hex container ID.
func (s *Sim) newContainerID() string {
	var b [64]byte
	for i := range b {
		b[i] = idAlphabet[s.rng.IntN(16)]
	}
	return string(b[:])
}
