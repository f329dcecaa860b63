package kernels

import (
	"fmt"
	"math"
)

// The float32 vector operations of a transformer forward pass, with the
// arithmetic of the corresponding ggml CPU ops. Operands must have matching
// lengths; a mismatch is a programming error (shapes are validated when a
// model is loaded) and panics with a message naming the operation.

func mustLen(op string, want int, got ...int) {
	for _, g := range got {
		if g != want {
			panic(fmt.Sprintf("kernels.%s: length %d, want %d", op, g, want))
		}
	}
}

// Dot returns a·b (float32 products, eight fixed lanes; see VecDot for F32).
func Dot(a, b []float32) float32 {
	mustLen("Dot", len(a), len(b))
	return active.dotF32(a, b)
}

// Axpy computes y += alpha*x.
func Axpy(alpha float32, x, y []float32) {
	mustLen("Axpy", len(x), len(y))
	active.axpy(alpha, x, y)
}

// RMSNorm computes dst = x / sqrt(mean(x²) + eps) * weight like ggml's
// rms_norm followed by mul: the squares are float32 products summed in
// float64 (ggml_float), mean = float32(sum/n), scale = 1/sqrtf(mean+eps),
// then dst[i] = (x[i]*scale)*weight[i], each product rounded to float32.
// A nil weight skips the multiplication. dst may alias x.
func RMSNorm(dst, x, weight []float32, eps float32) {
	mustLen("RMSNorm", len(x), len(dst))
	if weight != nil {
		mustLen("RMSNorm weight", len(x), len(weight))
	}
	if len(x) == 0 {
		return
	}
	var sum float64
	for _, v := range x {
		sum += float64(v * v)
	}
	mean := float32(sum / float64(len(x)))
	scale := 1 / float32(math.Sqrt(float64(mean+eps)))
	if weight == nil {
		for i, v := range x {
			dst[i] = v * scale
		}
		return
	}
	for i, v := range x {
		s := v * scale
		dst[i] = s * weight[i]
	}
}

// expf is float32 e^x, correctly rounded in practice (float64 exp, rounded).
func expf(x float32) float32 { return float32(math.Exp(float64(x))) }

// Softmax replaces x by softmax(x) like ggml's soft_max on an AVX2 machine:
// subtract the maximum; exponentiate groups of eight with ggml_v_expf (vexpf)
// and add each group's float32 sum (hsum order) to a float64 total, the
// leftovers with expf one by one; then multiply by float32(1/total). An all
// -Inf row becomes NaN, as in ggml.
func Softmax(x []float32) {
	if len(x) == 0 {
		return
	}
	i, m := active.maxGroups(x)
	for _, v := range x[i:] {
		m = max(m, v)
	}
	i, sum := active.expGroups(x, m)
	for ; i < len(x); i++ {
		e := expf(x[i] - m)
		x[i] = e
		sum += float64(e)
	}
	scale := float32(1 / sum)
	for i := active.scaleGroups(x, scale); i < len(x); i++ {
		x[i] *= scale
	}
}

// SiLU returns x*sigmoid(x) computed as x/(1+e^-x) in float32 (ggml_silu_f32).
func SiLU(x float32) float32 { return x / (1 + expf(-x)) }

// SiLUMul computes gate[i] = silu(gate[i]) * up[i] like ggml's swiglu on an
// AVX2 machine: groups of eight use ggml_v_silu (x/(1+vexpf(-x))), the
// leftovers ggml_silu_f32.
func SiLUMul(gate, up []float32) {
	mustLen("SiLUMul", len(gate), len(up))
	n8 := active.siluGroups(gate, up)
	for i := n8; i < len(gate); i++ {
		s := SiLU(gate[i])
		gate[i] = s * up[i]
	}
}

// Add computes dst[i] = a[i] + b[i]; dst may alias a or b.
func Add(dst, a, b []float32) {
	mustLen("Add", len(dst), len(a), len(b))
	for i := range dst {
		dst[i] = a[i] + b[i]
	}
}

// Mul computes dst[i] = a[i] * b[i]; dst may alias a or b.
func Mul(dst, a, b []float32) {
	mustLen("Mul", len(dst), len(a), len(b))
	for i := range dst {
		dst[i] = a[i] * b[i]
	}
}

// Scale multiplies x by s in place.
func Scale(x []float32, s float32) {
	for i := range x {
		x[i] *= s
	}
}

// expGroupsGeneric is the reference of kernelSet.expGroups: vexpf(x-m) on
// the whole groups of eight, each group's reduce8 added to a float64 sum.
func expGroupsGeneric(x []float32, m float32) (int, float64) {
	var sum float64
	i := 0
	for ; i+vexpLanes <= len(x); i += vexpLanes {
		g := (*[vexpLanes]float32)(x[i : i+vexpLanes])
		for k := range g {
			g[k] = vexpf(g[k] - m)
		}
		sum += float64(reduce8(g))
	}
	return i, sum
}

// siluGroupsGeneric is the reference of kernelSet.siluGroups: ggml_v_silu
// (g/(1+vexpf(0-g))) times up on the whole groups of eight.
func siluGroupsGeneric(gate, up []float32) int {
	n8 := len(gate) - len(gate)%vexpLanes
	for i, g := range gate[:n8] {
		s := g / (1 + vexpf(0-g))
		gate[i] = s * up[i]
	}
	return n8
}
