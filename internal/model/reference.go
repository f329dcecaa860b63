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
		buf := make([]byte, mat.RowBytes())
		for i := 0; i < mat.Rows && err == nil; i++ {
			err = tensor.Dequantize(mat.Type, mat.RowData(i, buf), out[i*mat.Cols:(i+1)*mat.Cols])
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
	E, Q, KV, F := c.Embd, c.Heads*c.HeadDim, c.HeadsKV*c.HeadDim, c.FFN
	x := make([]float32, E) // residual stream [embd]
	copy(x, r.tokEmbd[int(token)*E:int(token+1)*E])
	xb := make([]float32, E)
	q, k, v := make([]float32, Q), make([]float32, KV), make([]float32, KV)
	att, hb, hb2 := make([]float32, Q), make([]float32, F), make([]float32, F)
	for l := range r.layers {
		L := &r.layers[l]
		r.rmsnorm(xb, x, L.attnNorm)
		r.qkv(L, xb, q, k, v, pos)
		r.kc[l] = append(r.kc[l][:pos*KV], k...)
		r.vc[l] = append(r.vc[l][:pos*KV], v...)
		r.attend(l, pos, q, att)
		refMatvec(xb, L.wo, att, E, Q) // wo [embd][q_dim]
		for i := range x {
			x[i] += xb[i]
		}
		r.rmsnorm(xb, x, L.ffnNorm)
		refMatvec(hb, L.gate, xb, F, E) // gate [ffn][embd]
		refMatvec(hb2, L.up, xb, F, E)  // up [ffn][embd]
		for i := range hb {
			g := hb[i]
			hb[i] = g / (1 + float32(math.Exp(float64(-g)))) * hb2[i] // silu(gate)*up
		}
		refMatvec(xb, L.down, hb, E, F) // down [embd][ffn]
		for i := range x {
			x[i] += xb[i]
		}
	}
	r.rmsnorm(x, x, r.outNorm)
	logits := make([]float32, c.Vocab)
	refMatvec(logits, r.output, x, c.Vocab, E) // output [vocab][embd]
	return logits
}

// refMatvec sets out[r] = W[r,:]·x for a rows×cols row-major W.
func refMatvec(out, w, x []float32, rows, cols int) {
	for i := range rows {
		var s float32
		for j := range cols {
			s += w[i*cols+j] * x[j]
		}
		out[i] = s
	}
}

// rmsnorm sets out = x / rms(x) * weight.
func (r *Reference) rmsnorm(out, x, weight []float32) {
	var ss float32
	for _, v := range x {
		ss += v * v
	}
	scale := 1 / float32(math.Sqrt(float64(ss/float32(len(x))+r.c.RMSEps)))
	for i := range x {
		out[i] = x[i] * scale * weight[i]
	}
}

// rope rotates one head v at position pos.
func (r *Reference) rope(v []float32, pos int) {
	c := r.c
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

// qkv projects xb to the query, key and value of position pos: biases,
// per-head Q/K norms and RoPE applied.
func (r *Reference) qkv(L *refLayer, xb, q, k, v []float32, pos int) {
	c := r.c
	E, D := c.Embd, c.HeadDim
	refMatvec(q, L.wq, xb, len(q), E) // wq [q_dim][embd]
	refMatvec(k, L.wk, xb, len(k), E) // wk [kv_dim][embd]
	refMatvec(v, L.wv, xb, len(v), E) // wv [kv_dim][embd]
	if L.bq != nil {
		for i := range q {
			q[i] += L.bq[i]
		}
		for i := range k {
			k[i] += L.bk[i]
			v[i] += L.bv[i]
		}
	}
	for h := range c.Heads {
		if L.qNorm != nil {
			r.rmsnorm(q[h*D:(h+1)*D], q[h*D:(h+1)*D], L.qNorm)
		}
		r.rope(q[h*D:(h+1)*D], pos)
	}
	for h := range c.HeadsKV {
		if L.kNorm != nil {
			r.rmsnorm(k[h*D:(h+1)*D], k[h*D:(h+1)*D], L.kNorm)
		}
		r.rope(k[h*D:(h+1)*D], pos)
	}
}

// attend computes layer l's attention output att for query q at position
// pos over the cached keys and values, one query head at a time.
func (r *Reference) attend(l, pos int, q, att []float32) {
	c := r.c
	D, H, HKV := c.HeadDim, c.Heads, c.HeadsKV
	KV := HKV * D
	for h := range H {
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
}
