package watermark

import (
	"fmt"
	"math"
)

// Verdicts of a Score.
const (
	VerdictWatermarked = "watermarked"
	VerdictNone        = "no watermark"
	VerdictTooShort    = "too short to tell"
)

// Score is the test of one token sequence (or several, pooled).
type Score struct {
	Tokens  int     `json:"tokens"`  // tokens in the text
	Scored  int     `json:"scored"`  // distinct (previous, token) pairs tested
	Green   int     `json:"green"`   // of which green
	Z       float64 `json:"z"`       // (Green − γ·Scored) / sqrt(Scored·γ·(1−γ))
	P       float64 `json:"p_value"` // one-sided P(Z ≥ z) under "no watermark"
	Verdict string  `json:"verdict"`
}

// Counter accumulates green counts over token sequences. A (previous, token)
// pair is scored once however often it repeats (Kirchenbauer et al.'s
// follow-up "On the Reliability of Watermarks", 2023): repeated phrases
// would otherwise count the same coin flip many times and make a human
// text that repeats itself look watermarked.
type Counter struct {
	key    *Key
	seen   map[uint64]bool
	tokens int
	green  int
}

// NewCounter returns an empty counter for key.
func NewCounter(key *Key) *Counter { return &Counter{key: key, seen: map[uint64]bool{}} }

// Add scores ids (one contiguous run of text: its first token has no
// known previous token and is not scored).
func (c *Counter) Add(ids []int32) {
	c.tokens += len(ids)
	for i := 1; i < len(ids); i++ {
		pair := uint64(uint32(ids[i-1]))<<32 | uint64(uint32(ids[i]))
		if c.seen[pair] {
			continue
		}
		c.seen[pair] = true
		if c.key.Green(ids[i-1], ids[i]) {
			c.green++
		}
	}
}

// Score returns the test so far.
func (c *Counter) Score() Score {
	return newScore(c.tokens, len(c.seen), c.green)
}

// ScoreIDs tests one token sequence.
func ScoreIDs(key *Key, ids []int32) Score {
	c := NewCounter(key)
	c.Add(ids)
	return c.Score()
}

func newScore(tokens, scored, green int) Score {
	s := Score{Tokens: tokens, Scored: scored, Green: green, P: 1, Verdict: VerdictTooShort}
	if scored == 0 {
		return s
	}
	n := float64(scored)
	s.Z = (float64(green) - Gamma*n) / math.Sqrt(n*Gamma*(1-Gamma))
	s.P = PValue(s.Z)
	switch {
	case scored < MinScored:
	case s.Z > ZThreshold:
		s.Verdict = VerdictWatermarked
	default:
		s.Verdict = VerdictNone
	}
	return s
}

// PValue is the one-sided upper tail of the standard normal: P(Z ≥ z).
func PValue(z float64) float64 { return 0.5 * math.Erfc(z/math.Sqrt2) }

// String is a one-line summary.
func (s Score) String() string {
	return fmt.Sprintf("%s: z = %.2f, p = %.3g, %d of %d scored tokens green (%d tokens)",
		s.Verdict, s.Z, s.P, s.Green, s.Scored, s.Tokens)
}
