package testmodel

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/plumewriter/plume/internal/tensor"
)

// randomBlocks returns a rows×cols matrix of type t made of random quant
// bits under finite fp16 scales chosen so that weights have a standard
// deviation near 1/sqrt(cols) (Spec.RandomBlocks). Speed does not depend on
// the values, and quantizing a billion Gaussian weights would take minutes.
func randomBlocks(r *rand.Rand, t tensor.Type, cols, rows int) ([]byte, error) {
	rs, err := tensor.RowSize(t, uint64(cols))
	if err != nil {
		return nil, err
	}
	raw := make([]byte, int(rs)*rows)
	for i := 0; i+8 <= len(raw); i += 8 {
		binary.LittleEndian.PutUint64(raw[i:], r.Uint64())
	}
	if err := setScales(t, raw, 1/math.Sqrt(float64(cols))); err != nil {
		return nil, err
	}
	return raw, nil
}

// Block sizes in bytes of the formats setScales knows.
const (
	q8_0Bytes = 34
	q5_0Bytes = 22
	q4_KBytes = 144
	q6_KBytes = 210
)

// setScales overwrites the fp16 scales of every block with finite values
// giving weights of about the wanted standard deviation (quant spreads: Q8_0
// ±127 → σ≈73; Q5_0 ±16 → σ≈9; Q4_K 6-bit scale × 0..15 → σ≈140; Q6_K
// int8 scale × ±32 → σ≈1200).
func setScales(t tensor.Type, raw []byte, std float64) error {
	h := func(v float64) uint16 { return tensor.F32ToF16(float32(v)) }
	put := func(off int, v uint16) { binary.LittleEndian.PutUint16(raw[off:], v) }
	switch t {
	case tensor.Q8_0:
		for i := 0; i < len(raw); i += q8_0Bytes {
			put(i, h(std/73))
			for j := i + 2; j < i+q8_0Bytes; j++ {
				if raw[j] == 0x80 { // keep quants in [-127, 127] like real files
					raw[j] = 0x81
				}
			}
		}
	case tensor.Q5_0:
		for i := 0; i < len(raw); i += q5_0Bytes {
			put(i, h(std/9))
		}
	case tensor.Q4_K:
		for i := 0; i < len(raw); i += q4_KBytes {
			put(i, h(std/140))
			put(i+2, h(std/140*7.5))
		}
	case tensor.Q6_K:
		for i := 0; i < len(raw); i += q6_KBytes {
			put(i+q6_KBytes-2, h(std/1200))
		}
	default:
		return fmt.Errorf("testmodel: no random blocks for %s", t)
	}
	return nil
}
