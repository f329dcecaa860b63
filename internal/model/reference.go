package model

import (
	"fmt"
	"math"

	"github.com/plumewriter/plume/internal/kernels"
	"github.com/plumewriter/plume/internal/tensor"
)

// Reference is the scalar oracle forward pass, in the style of llama2.c's
// run.c: every weight dequantized to float32 once, then one function that
// reads top to bottom with plain float32 loops and no helper from
// internal/kernels. It is slow and memory-hungry (weights are copied) and
// exists only to check the fast path in tests. It does not round
// activations before products, so it differs from llama.cpp (and Forward)
// by the activation quantization error on quantized weights.
type Reference struct {
	c Config
	// Dequantized weights; shapes as [rows][cols] flattened.
	tokEmbd, output []float32 // [vocab][embd]
	outNorm         []float32 // [embd]
	freqs           []float32 // [rope_dim/2] or nil
	layers          []refLayer
	kc, vc          [][]float32 // per layer [pos][kv_dim]
}

type refLayer struct {
	attnNorm, ffnNorm []float32 // [embd]
	wq                []float32 // [q_dim][embd]
	wk, wv            []float32 // [kv_dim][embd]
	wo                []float32 // [embd][q_dim]
	bq, bk, bv        []float32 // [q_dim], [kv_dim], [kv_dim] or nil
	qNorm, kNorm      []float32 // [head_dim] or nil
	gate, up          []float32 // [ffn][embd]
	down              []float32 // [embd][ffn]
}

// NewReference dequantizes every weight of m.
func NewReference(m *Model) (*Reference, error) {
	w := m.Weights
	r := &Reference{c: m.Config, outNorm: w.OutputNorm, freqs: w.RopeFreqs}
	var err error
	deq := func(mat kernels.Matrix) []float32 {
		out := make([]float32, mat.Rows*mat.Cols)
		for i := 0; i < mat.Rows && err == nil; i++ {
			err = tensor.Dequantize(mat.Type, mat.Row(i), out[i*mat.Cols:(i+1)*mat.Cols])
		}
		return out
	}
	r.tokEmbd, r.output = deq(w.TokEmbd), deq(w.Output)
	for _, L := range w.Layers {
		r.layers = append(r.layers, refLayer{
			attnNorm: L.AttnNorm, ffnNorm: L.FFNNorm, wq: deq(L.Wq), wk: deq(L.Wk), wv: deq(L.Wv), wo: deq(L.Wo),
			bq: L.Bq, bk: L.Bk, bv: L.Bv, qNorm: L.QNorm, kNorm: L.KNorm,
			gate: deq(L.Gate), up: deq(L.Up), down: deq(L.Down),
		})
		r.kc = append(r.kc, nil)
		r.vc = append(r.vc, nil)
	}
	if err != nil {
		return nil, fmt.Errorf("reference: dequantize: %w", err)
	}
	return r, nil
}

// Forward feeds one token at position pos (which must equal the number of
// tokens fed so far) and returns the logits. It is deliberately one long
// function, read top to bottom like llama2.c's forward (the exception to
// the short-function rule that DESIGN.md asks for).
func (r *Reference) Forward(token int32, pos int) []float32 {
	c := r.c
	E, D, H, HKV, F := c.Embd, c.HeadDim, c.Heads, c.HeadsKV, c.FFN
	Q, KV := H*D, HKV*D
	matvec := func(out, w, x []float32, rows, cols int) { // out[r] = W[r,:]·x
		for i := range rows {
			var s float32
			for j := range cols {
				s += w[i*cols+j] * x[j]
			}
			out[i] = s
		}
	}
	rmsnorm := func(out, x, weight []float32) {
		var ss float32
		for _, v := range x {
			ss += v * v
		}
		scale := 1 / float32(math.Sqrt(float64(ss/float32(len(x))+c.RMSEps)))
		for i := range x {
			out[i] = x[i] * scale * weight[i]
		}
	}
	rope := func(v []float32) { // rotate one head at position pos
		for i := 0; i < c.RopeDim; i += 2 {
			freq := float32(math.Pow(float64(c.RopeBase), -float64(i)/float64(c.RopeDim)))
			theta := float32(pos) * freq
			if r.freqs != nil {
				theta /= r.freqs[i/2]
			}
			theta *= c.RopeScale
			cos, sin := float32(math.Cos(float64(theta))), float32(math.Sin(float64(theta)))
			a, b := i, i+1
			if c.RopeNeox {
				a, b = i/2, i/2+c.RopeDim/2
			}
			v0, v1 := v[a], v[b]
			v[a], v[b] = v0*cos-v1*sin, v0*sin+v1*cos
		}
	}
	x := make([]float32, E) // residual stream [embd]
	copy(x, r.tokEmbd[int(token)*E:int(token+1)*E])
	xb := make([]float32, E)
	q, k, v := make([]float32, Q), make([]float32, KV), make([]float32, KV)
	att, hb, hb2 := make([]float32, Q), make([]float32, F), make([]float32, F)
	for l := range r.layers {
		L := &r.layers[l]
		rmsnorm(xb, x, L.attnNorm)
		matvec(q, L.wq, xb, Q, E)  // wq [q_dim][embd]
		matvec(k, L.wk, xb, KV, E) // wk [kv_dim][embd]
		matvec(v, L.wv, xb, KV, E) // wv [kv_dim][embd]
		if L.bq != nil {
			for i := range q {
				q[i] += L.bq[i]
			}
			for i := range k {
				k[i] += L.bk[i]
				v[i] += L.bv[i]
			}
		}
		for h := range H {
			if L.qNorm != nil {
				rmsnorm(q[h*D:(h+1)*D], q[h*D:(h+1)*D], L.qNorm)
			}
			rope(q[h*D : (h+1)*D])
		}
		for h := range HKV {
			if L.kNorm != nil {
				rmsnorm(k[h*D:(h+1)*D], k[h*D:(h+1)*D], L.kNorm)
			}
			rope(k[h*D : (h+1)*D])
		}
		r.kc[l] = append(r.kc[l][:pos*KV], k...)
		r.vc[l] = append(r.vc[l][:pos*KV], v...)
		for h := range H { // attention, one query head at a time
			kvh := h / (H / HKV)
			scores := make([]float32, pos+1)
			maxs := float32(math.Inf(-1))
			for t := range pos + 1 {
				var s float32
				for d := range D {
					s += q[h*D+d] * r.kc[l][t*KV+kvh*D+d]
				}
				scores[t] = s / float32(math.Sqrt(float64(D)))
				maxs = max(maxs, scores[t])
			}
			var sum float32
			for t := range scores {
				scores[t] = float32(math.Exp(float64(scores[t] - maxs)))
				sum += scores[t]
			}
			for d := range D {
				var o float32
				for t := range scores {
					o += scores[t] / sum * r.vc[l][t*KV+kvh*D+d]
				}
				att[h*D+d] = o
			}
		}
		matvec(xb, L.wo, att, E, Q) // wo [embd][q_dim]
		for i := range x {
			x[i] += xb[i]
		}
		rmsnorm(xb, x, L.ffnNorm)
		matvec(hb, L.gate, xb, F, E) // gate [ffn][embd]
		matvec(hb2, L.up, xb, F, E)  // up [ffn][embd]
		for i := range hb {
			g := hb[i]
			hb[i] = g / (1 + float32(math.Exp(float64(-g)))) * hb2[i] // silu(gate)*up
		}
		matvec(xb, L.down, hb, E, F) // down [embd][ffn]
		for i := range x {
			x[i] += xb[i]
		}
	}
	rmsnorm(x, x, r.outNorm)
	logits := make([]float32, c.Vocab)
	matvec(logits, r.output, x, c.Vocab, E) // output [vocab][embd]
	return logits
}
