package watermark

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
)

// Scheme names the algorithm and its parameters; a change to any of them is
// a new scheme name, since old articles must stay checkable.
const Scheme = "plume-greenlist-v1"

// Parameters of Scheme.
const (
	// Gamma is the green fraction of the vocabulary. Kirchenbauer et al.
	// find 0.25 detects with fewer tokens than 0.5 at the same Delta.
	Gamma = 0.25
	// Delta is the logit bias of a green token: 2.0 is the paper's middle
	// setting, detectable in ~200 tokens of ordinary-entropy text at a small
	// perplexity cost (docs/WATERMARK.md has Plume's own figures).
	Delta = 2.0
	// ZThreshold is the verdict threshold: a one-sided z above 4 happens by
	// chance with probability FalsePositiveRate.
	ZThreshold = 4.0
	// MinScored is the fewest scored tokens a verdict is given for: below
	// it the normal approximation of the green count is poor, and one
	// green token moves z by more than 0.4.
	MinScored = 25
	// MaxKeyBytes caps a key file: a key is a secret, not a document.
	MaxKeyBytes = 4096
	// MinKeyBytes is the shortest private key accepted (128 bits).
	MinKeyBytes = 16
)

// FalsePositiveRate is P(Z > ZThreshold) under the null hypothesis.
var FalsePositiveRate = PValue(ZThreshold)

// DefaultKeyText is the public key of Plume's default watermark. It is
// published so that anyone can check any article Plume writes with the
// default settings (plume verify uses it unless given --watermark-key).
const DefaultKeyText = "plume public watermark key v1: anyone may check Plume articles with it\n"

// ErrKey is wrapped by key-file errors.
var ErrKey = errors.New("watermark key")

// Key is a watermark key: the sha256 of the key file's bytes.
type Key struct {
	sum  [32]byte
	k    [4]uint64
	name string // "default" or the file it came from, for messages
}

// DefaultKey returns the published key.
func DefaultKey() *Key { return newKey([]byte(DefaultKeyText), "default") }

// NewKey derives a key from secret bytes (at least MinKeyBytes).
func NewKey(secret []byte) (*Key, error) {
	if len(secret) < MinKeyBytes || len(secret) > MaxKeyBytes {
		return nil, fmt.Errorf("%w: %d bytes, want %d to %d", ErrKey, len(secret), MinKeyBytes, MaxKeyBytes)
	}
	return newKey(secret, "private"), nil
}

func newKey(secret []byte, name string) *Key {
	k := &Key{sum: sha256.Sum256(secret), name: name}
	for i := range k.k {
		k.k[i] = binary.LittleEndian.Uint64(k.sum[8*i:])
	}
	return k
}

// LoadKey reads a key file (any bytes, MinKeyBytes to MaxKeyBytes).
func LoadKey(path string) (*Key, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKey, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxKeyBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrKey, path, err)
	}
	k, err := NewKey(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	k.name = path
	return k, nil
}

// Fingerprint identifies the key without revealing it: the first 16 hex
// digits of sha256(key), recorded in manifests and front matter.
func (k *Key) Fingerprint() string {
	s := sha256.Sum256(k.sum[:])
	return hex.EncodeToString(s[:8])
}

// IsDefault reports whether k is the published key.
func (k *Key) IsDefault() bool { return k.sum == DefaultKey().sum }

// Name is "default", "private" or the key file's path.
func (k *Key) Name() string { return k.name }

// mix is the SplitMix64 finalizer, a bijection with full avalanche.
func mix(x uint64) uint64 {
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// greenBound: a token is green when its 64-bit hash is below Gamma·2^64.
const greenBound = uint64(Gamma * (1 << 64))

// Green reports whether tok is on the green list that follows prev.
func (k *Key) Green(prev, tok int32) bool {
	x := mix(k.k[0] ^ uint64(uint32(prev)))
	x = mix(x ^ k.k[1] ^ uint64(uint32(tok))<<32)
	x = mix(x ^ k.k[2])
	return x < greenBound
}

// Delta is the logit bias of a green token (the sampler's hook).
func (k *Key) Delta() float32 { return Delta }
