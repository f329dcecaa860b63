//go:build !purego

package kernels

import (
	"encoding/binary"
	"math"

	"github.com/plumewriter/plume/internal/tensor"
)

// quantQ8_0NEON quantizes nb blocks of 32 activations like
// tensor.QuantizeQ8_0: per block amax = max|x[j]|, d = fp16(amax/127),
// q[j] = int8(roundEven(x[j]*(127/amax))) (0 for an all-zero block).
// len(x) >= 32*nb, len(dst) >= 34*nb.
//
//go:noescape
func quantQ8_0NEON(x []float32, dst []byte, nb int)

// quantQ8_0Asm is the bounds-checked entry of quantQ8_0NEON.
func quantQ8_0Asm(x []float32, dst []byte) {
	nb := len(x) / 32
	quantQ8_0NEON(x[:nb*32], dst[:nb*q8_0Bytes], nb)
}

// absMaxNEON returns max |x[i]| over the non-NaN x[i] (0 if none), the
// amax of tensor.QuantizeQ8_K's scan. len(x) is a multiple of 16.
//
//go:noescape
func absMaxNEON(x []float32) float32

// quantQ8_KNEON writes the 256 quants of one Q8_K block to q[:256],
// q[j] = int8(min(127, nearestInt(iscale*x[j]))) as tensor.QuantizeQ8_K,
// and the sixteen int16 sums of 16 quants to q[256:288] (little-endian).
// len(x) >= 256, len(q) >= 288.
//
//go:noescape
func quantQ8_KNEON(x []float32, q []byte, iscale float32)

// quantQ8_KAsm is tensor.QuantizeQ8_K with the amax scan and the quants in
// NEON; the scale (the first value of largest magnitude, its sign kept)
// is found and the float32 d stored by the generic code's arithmetic.
func quantQ8_KAsm(x []float32, dst []byte) {
	nb := len(x) / tensor.QK_K
	for i := range nb {
		xb, yb := x[i*tensor.QK_K:(i+1)*tensor.QK_K], dst[i*q8KBytes:(i+1)*q8KBytes]
		amax := absMaxNEON(xb)
		if amax == 0 {
			clear(yb)
			continue
		}
		var vmax float32
		for _, v := range xb {
			if float32(math.Abs(float64(v))) == amax {
				vmax = v
				break
			}
		}
		iscale := -127 / vmax
		quantQ8_KNEON(xb, yb[4:], iscale)
		binary.LittleEndian.PutUint32(yb, math.Float32bits(1/iscale))
	}
}

// f32ToF16NEON sets dst[i] = tensor.F32ToF16(x[i]) (round to nearest even,
// NaNs quiet with their payload's top bits). len(dst) >= len(x).
//
//go:noescape
func f32ToF16NEON(x []float32, dst []uint16)

// f32ToF16Asm is the bounds-checked entry of f32ToF16NEON.
func f32ToF16Asm(x []float32, dst []uint16) { f32ToF16NEON(x, dst[:len(x)]) }

// roundF16NEON sets dst[i] = tensor.F16ToF32(tensor.F32ToF16(src[i])).
// len(dst) >= len(src); dst may alias src.
//
//go:noescape
func roundF16NEON(dst, src []float32)

// roundF16Asm is the bounds-checked entry of roundF16NEON.
func roundF16Asm(dst, src []float32) { roundF16NEON(dst[:len(src)], src) }
