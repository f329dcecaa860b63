package sample

// rng is xoshiro256** (Blackman & Vigna), seeded through splitmix64. It is
// implemented here, rather than taken from math/rand, so that the stream
// for a seed is fixed by this file alone: identical on every platform, Go
// version and thread count.
type rng struct{ s [4]uint64 }

// newRNG expands a 64-bit seed into the 256-bit state with splitmix64, as
// the xoshiro authors recommend (a zero state is impossible this way).
func newRNG(seed uint64) rng {
	var r rng
	x := seed
	for i := range r.s {
		x += 0x9e3779b97f4a7c15
		z := x
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
		z = (z ^ (z >> 27)) * 0x94d049bb133111eb
		r.s[i] = z ^ (z >> 31)
	}
	return r
}

func rotl(x uint64, k uint) uint64 { return x<<k | x>>(64-k) }

// next returns the next 64 random bits.
func (r *rng) next() uint64 {
	s := &r.s
	out := rotl(s[1]*5, 7) * 9
	t := s[1] << 17
	s[2] ^= s[0]
	s[3] ^= s[1]
	s[1] ^= s[2]
	s[0] ^= s[3]
	s[2] ^= t
	s[3] = rotl(s[3], 45)
	return out
}

// float64 returns a uniform value in [0, 1) with 53 random bits.
func (r *rng) float64() float64 {
	return float64(r.next()>>11) * (1.0 / (1 << 53))
}
