package watermark

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

// TestGreenFraction: over many pairs, the green fraction is Gamma within
// 5 standard deviations (a broken hash or bound would be far off).
func TestGreenFraction(t *testing.T) {
	for _, key := range []*Key{DefaultKey(), mustKey(t, "another key, sixteen bytes or more")} {
		n, green := 0, 0
		for prev := int32(0); prev < 300; prev++ {
			for tok := int32(0); tok < 300; tok++ {
				n++
				if key.Green(prev, tok) {
					green++
				}
			}
		}
		sd := math.Sqrt(float64(n) * Gamma * (1 - Gamma))
		if d := math.Abs(float64(green) - Gamma*float64(n)); d > 5*sd {
			t.Errorf("key %s: %d of %d green, expected %.0f ± %.0f", key.Fingerprint(), green, n, Gamma*float64(n), sd)
		}
	}
}

// TestGreenKnown pins the scheme: the green tokens after a few contexts with
// the public key. A change here breaks the detection of every article
// already written, so it must come with a new Scheme name.
func TestGreenKnown(t *testing.T) {
	key := DefaultKey()
	if fp := key.Fingerprint(); fp != wantFingerprint {
		t.Errorf("public key fingerprint %s, want %s", fp, wantFingerprint)
	}
	for _, c := range greenKnown {
		var got []int32
		for tok := int32(0); tok < 32; tok++ {
			if key.Green(c.prev, tok) {
				got = append(got, tok)
			}
		}
		if !equal(got, c.green) {
			t.Errorf("green after %d: %v, want %v", c.prev, got, c.green)
		}
	}
}

func equal(a, b []int32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestKeysDiffer: two keys give different green lists (agreement ≈ the
// chance level γ² + (1−γ)² = 0.625, not 1).
func TestKeysDiffer(t *testing.T) {
	a, b := DefaultKey(), mustKey(t, "a private key of some length")
	same, n := 0, 0
	for tok := int32(0); tok < 4000; tok++ {
		n++
		if a.Green(7, tok) == b.Green(7, tok) {
			same++
		}
	}
	if f := float64(same) / float64(n); f > 0.7 || f < 0.55 {
		t.Errorf("keys agree on %.3f of tokens, want ≈ 0.625", f)
	}
	if a.Fingerprint() == b.Fingerprint() {
		t.Error("same fingerprint for two keys")
	}
}

func mustKey(t *testing.T, s string) *Key {
	t.Helper()
	k, err := NewKey([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestScore(t *testing.T) {
	key := DefaultKey()
	// greenRun builds a sequence of n+1 tokens whose every pair is green
	// and distinct, redRun one whose pairs are all red.
	run := func(n int, green bool) []int32 {
		ids := []int32{1}
		seen := map[[2]int32]bool{}
		for len(ids) <= n {
			prev := ids[len(ids)-1]
			for tok := int32(0); ; tok++ {
				if key.Green(prev, tok) == green && !seen[[2]int32{prev, tok}] {
					seen[[2]int32{prev, tok}] = true
					ids = append(ids, tok)
					break
				}
			}
		}
		return ids
	}
	pair := run(1, true)
	back := 0 // the pair back from the second token to the first
	if key.Green(pair[1], pair[0]) {
		back = 1
	}
	tests := []struct {
		name    string
		ids     []int32
		scored  int
		green   int
		verdict string
	}{
		{"empty", nil, 0, 0, VerdictTooShort},
		{"one token", []int32{5}, 0, 0, VerdictTooShort},
		{"short green", run(MinScored-1, true), MinScored - 1, MinScored - 1, VerdictTooShort},
		{"all green", run(100, true), 100, 100, VerdictWatermarked},
		{"all red", run(100, false), 100, 0, VerdictNone},
		// The same two pairs 100 times are scored once each.
		{"repeated pair", repeat(pair, 100), 2, 1 + back, VerdictTooShort},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := ScoreIDs(key, tc.ids)
			if s.Scored != tc.scored || s.Green != tc.green || s.Verdict != tc.verdict || s.Tokens != len(tc.ids) {
				t.Fatalf("%+v, want scored %d green %d %q", s, tc.scored, tc.green, tc.verdict)
			}
			if s.Scored > 0 {
				n := float64(s.Scored)
				z := (float64(s.Green) - Gamma*n) / math.Sqrt(n*Gamma*(1-Gamma))
				if math.Abs(z-s.Z) > 1e-12 || math.Abs(s.P-PValue(z)) > 1e-15 {
					t.Errorf("z %v p %v, want %v %v", s.Z, s.P, z, PValue(z))
				}
			}
		})
	}
}

func repeat(ids []int32, n int) []int32 {
	var out []int32
	for range n {
		out = append(out, ids...)
	}
	return out
}

func TestPValue(t *testing.T) {
	for _, c := range []struct{ z, p float64 }{{0, 0.5}, {1.6448536269514722, 0.05}, {4, 3.167124183311998e-05}} {
		if got := PValue(c.z); math.Abs(got-c.p) > 1e-12 {
			t.Errorf("PValue(%v) = %v, want %v", c.z, got, c.p)
		}
	}
	if FalsePositiveRate != PValue(ZThreshold) {
		t.Error("FalsePositiveRate")
	}
}

func TestLoadKey(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good", []byte("0123456789abcdef-private"))
	k, err := LoadKey(good)
	if err != nil || k.IsDefault() || k.Fingerprint() == DefaultKey().Fingerprint() {
		t.Fatalf("LoadKey: %v", err)
	}
	for name, b := range map[string][]byte{"short": []byte("too short"), "long": make([]byte, MaxKeyBytes+1)} {
		if _, err := LoadKey(write(name, b)); err == nil {
			t.Errorf("%s key accepted", name)
		}
	}
	if _, err := LoadKey(filepath.Join(dir, "missing")); err == nil {
		t.Error("missing key file accepted")
	}
}
