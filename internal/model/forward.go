package model

import (
	"context"
	"fmt"
	"math"

	"github.com/plumewriter/plume/internal/kernels"
	"github.com/plumewriter/plume/internal/tensor"
)

// Forward appends tokens to the sequence in s and returns logits: for every
// token when all is set ([len(tokens)][vocab]), else for the last one only.
// Tokens are processed MaxBatch at a time, each batch through every matrix
// product at once. The returned slice is reused by the next call. ctx is
// checked between layers, so cancellation takes effect within one step; a
// cancelled call leaves the cache at the last complete batch.
func (m *Model) Forward(ctx context.Context, p *kernels.Pool, s *State, tokens []int32, all bool) ([]float32, error) {
	if s.m != m {
		return nil, fmt.Errorf("forward: state belongs to another model")
	}
	if len(tokens) == 0 {
		return nil, fmt.Errorf("forward: no tokens")
	}
	if err := m.CheckTokens(tokens); err != nil {
		return nil, fmt.Errorf("forward: %w", err)
	}
	if s.pos+len(tokens) > s.ctx {
		return nil, fmt.Errorf("forward: %w: %d cached + %d new > %d", ErrContextFull, s.pos, len(tokens), s.ctx)
	}
	if len(tokens) > 1 && m.batches != nil { // the background copy pauses (Loader.CopyInBackground)
		m.batches.Add(1)
		defer m.batches.Add(-1)
	}
	vocab := m.Config.Vocab
	wantRows := 1
	if all {
		wantRows = len(tokens)
	}
	if cap(s.buf.logits) < wantRows*vocab {
		s.buf.logits = make([]float32, wantRows*vocab)
	}
	logits := s.buf.logits[:wantRows*vocab]
	for start := 0; start < len(tokens); start += MaxBatch {
		end := min(start+MaxBatch, len(tokens))
		var dst []float32
		switch {
		case all:
			dst = logits[start*vocab : end*vocab]
		case end == len(tokens):
			dst = logits
		}
		if err := m.step(ctx, p, s, tokens[start:end], dst); err != nil {
			return nil, err
		}
	}
	return logits, nil
}

// step runs one batch of n ≤ MaxBatch tokens at positions s.pos…s.pos+n-1.
// dst receives the logits of all n rows (len n*vocab), of the last row
// (len vocab), or nothing (nil).
func (m *Model) step(ctx context.Context, p *kernels.Pool, s *State, tokens []int32, dst []float32) error {
	c, w := m.Config, m.Weights
	n := len(tokens)
	s.ensure(n, poolThreads(p))
	if s.pos+n > s.vs {
		s.resizeV(s.pos + n)
	}
	b := &s.buf
	x := b.x[:n*c.Embd]
	for i, id := range tokens { // get_rows: dequantize the embedding row
		if err := tensor.Dequantize(w.TokEmbd.Type, w.TokEmbd.RowData(int(id), b.embRow), x[i*c.Embd:(i+1)*c.Embd]); err != nil {
			return fmt.Errorf("forward: embedding of token %d: %w", id, err)
		}
	}
	for i := range n {
		kernels.RoPECache(b.cs[i*c.RopeDim:(i+1)*c.RopeDim], s.pos+i, c.RopeBase, c.RopeScale, w.RopeFreqs)
	}
	rows := len(dst) / c.Vocab // the last `rows` rows want logits
	for l := range w.Layers {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("forward: %w", err)
		}
		keep := n
		if l == len(w.Layers)-1 {
			keep = rows
		}
		if err := m.layer(p, s, l, n, keep); err != nil {
			return fmt.Errorf("forward: layer %d: %w", l, err)
		}
	}
	s.pos += n
	if dst == nil {
		return nil
	}
	first := n - rows
	xb := b.xb[:rows*c.Embd]
	for i := range rows {
		r := first + i
		kernels.RMSNorm(xb[i*c.Embd:(i+1)*c.Embd], x[r*c.Embd:(r+1)*c.Embd], w.OutputNorm, c.RMSEps)
	}
	if err := kernels.MatMul(p, w.Output, xb, rows, dst); err != nil {
		return fmt.Errorf("forward: output: %w", err)
	}
	return nil
}

// layer runs block l on the n rows of s.buf.x in place. The row-wise work
// between the matrix products (norms, RoPE, residual adds, SwiGLU) goes over
// the pool too for batches (forRows); each row is computed by one thread as
// on one, so the result does not depend on the thread count.
//
// Only the last keep rows' outputs are computed: all n rows' K and V go to
// the cache, but Q, attention, the output projection and the feed-forward
// block run on the last keep rows alone. The last layer of a batch needs
// nothing more than the rows whose logits are wanted (llama.cpp likewise
// drops the other rows before its last feed-forward block), and each row's
// arithmetic is the same as in a full pass, so those rows are bitwise
// unchanged.
func (m *Model) layer(p *kernels.Pool, s *State, l, n, keep int) error {
	c, L := m.Config, &m.Weights.Layers[l]
	b := &s.buf
	E, Q, KV, F := c.Embd, c.QDim(), c.KVDim(), c.FFN
	first := n - keep
	x, xb, xb2 := b.x[:n*E], b.xb[:n*E], b.xb2[:n*E]
	norm := func(weight []float32, lo, hi int) { // xb = RMSNorm(x) · weight, rows [lo, hi)
		for i := lo; i < hi; i++ {
			kernels.RMSNorm(xb[i*E:(i+1)*E], x[i*E:(i+1)*E], weight, c.RMSEps)
		}
	}
	residual := func(lo, hi int) { kernels.Add(x[lo*E:hi*E], x[lo*E:hi*E], xb2[lo*E:hi*E]) }
	forRows(p, 0, n, func(lo, hi int) { norm(L.AttnNorm, lo, hi) })
	q, kk, vv := b.q[:n*Q], b.kk[:n*KV], b.vv[:n*KV]
	if err := m.projectQKV(p, L, xb, n, first, q, kk, vv); err != nil {
		return err
	}
	forRows(p, 0, n, func(lo, hi int) { m.prepareQKV(s, L, lo, hi, first) })
	// Append K and V to the cache at positions s.pos….
	s.store(l, n, kk, vv)
	if keep == 0 {
		return nil
	}
	m.attention(p, s, l, first, n)
	if err := kernels.MatMul(p, L.Wo, b.att[first*Q:n*Q], keep, xb2[first*E:]); err != nil {
		return err
	}
	forRows(p, first, n, func(lo, hi int) {
		residual(lo, hi)
		norm(L.FFNNorm, lo, hi)
	})
	hb, hb2 := b.hb[first*F:n*F], b.hb2[first*F:n*F]
	if err := kernels.MatMulMulti(p, []kernels.Matrix{L.Gate, L.Up}, xb[first*E:], keep, [][]float32{hb, hb2}); err != nil {
		return err
	}
	// One row at a time, as ggml does: SiLUMul's vector body and scalar
	// tail round differently, so a call over several rows would round a
	// row's last FFN%8 elements by where the row falls in the batch (the
	// output would depend on how a prompt is split, which the prompt cache
	// relies on it not doing).
	forRows(p, 0, keep, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			kernels.SiLUMul(hb[i*F:(i+1)*F], hb2[i*F:(i+1)*F])
		}
	})
	if err := kernels.MatMul(p, L.Down, hb, keep, xb2[first*E:]); err != nil {
		return err
	}
	forRows(p, first, n, residual)
	return nil
}

// projectQKV computes K and V of the n rows of xb, and Q of rows
// [first, n) (all three in one MatMulMulti when first is 0).
func (m *Model) projectQKV(p *kernels.Pool, L *Layer, xb []float32, n, first int, q, kk, vv []float32) error {
	E, Q := m.Config.Embd, m.Config.QDim()
	if first == 0 {
		return kernels.MatMulMulti(p, []kernels.Matrix{L.Wq, L.Wk, L.Wv}, xb, n, [][]float32{q, kk, vv})
	}
	if err := kernels.MatMulMulti(p, []kernels.Matrix{L.Wk, L.Wv}, xb, n, [][]float32{kk, vv}); err != nil {
		return err
	}
	if first == n {
		return nil
	}
	return kernels.MatMul(p, L.Wq, xb[first*E:n*E], n-first, q[first*Q:n*Q])
}

// minParallelRows is the batch size from which forRows splits row-wise
// work over the pool: a hand-off costs a few microseconds, more than the
// norms and adds of a few rows take.
const minParallelRows = 16

// forRows runs fn over rows [first, n), split over the pool's threads for
// batches of at least minParallelRows rows. fn must only touch its rows.
func forRows(p *kernels.Pool, first, n int, fn func(lo, hi int)) {
	if p == nil || n-first < minParallelRows {
		fn(first, n)
		return
	}
	p.Run(n-first, func(lo, hi int) { fn(first+lo, first+hi) })
}

// prepareQKV adds the biases, applies the per-head Q/K norms, and rotates
// Q and K of rows [lo, hi) in s.buf; Q only from row first on.
func (m *Model) prepareQKV(s *State, L *Layer, lo, hi, first int) {
	c, b := m.Config, &s.buf
	D, Q, KV := c.HeadDim, c.QDim(), c.KVDim()
	for i := lo; i < hi; i++ {
		qi, ki, vi := b.q[i*Q:(i+1)*Q], b.kk[i*KV:(i+1)*KV], b.vv[i*KV:(i+1)*KV]
		if L.Bq != nil {
			kernels.Add(ki, ki, L.Bk)
			kernels.Add(vi, vi, L.Bv)
		}
		cs := b.cs[i*c.RopeDim : (i+1)*c.RopeDim]
		for h := range c.HeadsKV {
			kh := ki[h*D : (h+1)*D]
			if L.KNorm != nil {
				kernels.RMSNorm(kh, kh, L.KNorm, c.RMSEps)
			}
			kernels.RoPE(kh, cs, c.RopeNeox)
		}
		if i < first {
			continue
		}
		if L.Bq != nil {
			kernels.Add(qi, qi, L.Bq)
		}
		for h := range c.Heads {
			qh := qi[h*D : (h+1)*D]
			if L.QNorm != nil {
				kernels.RMSNorm(qh, qh, L.QNorm, c.RMSEps)
			}
			kernels.RoPE(qh, cs, c.RopeNeox)
		}
	}
}

// store appends the n rows of K and V to layer l's cache (V transposed).
func (s *State) store(l, n int, kk, vv []float32) {
	KV := s.m.Config.KVDim()
	if s.kv == tensor.F16 {
		kc, vt := s.k16[l], s.v16[l]
		// Same rounding as F32ToF16, vectorised; lengths match by construction.
		_ = kernels.QuantizeRow(tensor.F16, kk, kc[2*s.pos*KV:2*(s.pos+n)*KV])
		vh := s.buf.vh[:2*n*KV]
		_ = kernels.QuantizeRow(tensor.F16, vv, vh)
		for d := range KV {
			col := vt[2*(d*s.vs+s.pos) : 2*(d*s.vs+s.pos+n)]
			for i := range n {
				col[2*i], col[2*i+1] = vh[2*(i*KV+d)], vh[2*(i*KV+d)+1]
			}
		}
		return
	}
	copy(s.k[l][s.pos*KV:(s.pos+n)*KV], kk)
	vt := s.v[l]
	for i := range n {
		for d, x := range vv[i*KV : (i+1)*KV] {
			vt[d*s.vs+s.pos+i] = x
		}
	}
}

// attention computes softmax(q·K/sqrt(d))·V for every row in [first, n) and
// head, with the causal mask, into s.buf.att. Work items (row, group of
// heads) are spread over the pool; each is computed by one worker in a
// fixed order, so the result does not depend on the thread count.
func (m *Model) attention(p *kernels.Pool, s *State, l, first, n int) {
	c := m.Config
	groups := s.headGroups()
	units := len(groups)
	items, slots := (n-first)*units, poolThreads(p)
	run := func(lo, hi int) {
		for slot := lo; slot < hi; slot++ {
			for it := slot; it < items; it += slots {
				i, g := first+it/units, groups[it%units]
				if g.n == 1 {
					m.attendHead(s, l, slot, i, g.h)
				} else {
					m.attendGroup(s, l, slot, i, g)
				}
			}
		}
	}
	// Score and value products: rows × heads × (pos+n) positions × 2·D.
	if macs := uint64((n-first)*c.Heads) * uint64(s.pos+n) * uint64(2*c.HeadDim); macs < minParallelAttention {
		slots = 1
		run(0, 1)
		return
	}
	p.Run(slots, run)
}

// headGroup is n ≤ kernels.MaxF32Group query heads from h on that share
// one KV head: attendGroup reads each key and value row once for all of
// them.
type headGroup struct{ h, n int }

// headGroups splits each KV head's query heads into as few groups as the
// kernels read at once (kernels.F32GroupSize: three with AVX2, six with
// AVX-512) as it can, as even as it can (with three: six is 3+3, four 2+2,
// seven 3+2+2), so that the workers' shares stay even. The bits do not
// depend on the grouping. A float16 cache has one head a group
// (attendHead). Computed once per State.
func (s *State) headGroups() []headGroup {
	if s.buf.groups != nil {
		return s.buf.groups
	}
	c := s.m.Config
	per, most := c.Heads/c.HeadsKV, kernels.F32GroupSize()
	parts := (per + most - 1) / most
	if s.kv != tensor.F32 {
		parts = per
	}
	var gs []headGroup
	for kv := range c.HeadsKV {
		h := kv * per
		for k := range parts {
			n := per / parts
			if k < per%parts {
				n++
			}
			gs = append(gs, headGroup{h, n})
			h += n
		}
	}
	s.buf.groups = gs
	return gs
}

// minParallelAttention is the attention work (multiply-adds) below which a
// layer's heads are computed on the calling goroutine: handing them to the
// pool costs microseconds, more than a few short heads take (a tiny model,
// or the first positions of a decode).
const minParallelAttention = 1 << 15

// attendHead computes head h of row i with worker slot's scratch.
func (m *Model) attendHead(s *State, l, slot, i, h int) {
	c, b := m.Config, &s.buf
	D, Q, KV := c.HeadDim, c.QDim(), c.KVDim()
	T, Tp, kvo, scale := m.attnSpan(s, i, h)
	qh := b.q[i*Q+h*D : i*Q+(h+1)*D]
	sc := b.scores[kernels.MaxF32Group*slot*s.cpad : kernels.MaxF32Group*slot*s.cpad+Tp]
	out := b.att[i*Q+h*D : i*Q+(h+1)*D]
	if s.kv == tensor.F16 {
		// llama.cpp rounds q to fp16 for its F16 dot products; rounded once
		// here (in place: q is not read again), the kernel takes it as
		// float32. Rows are KV elements apart; lengths match by construction.
		kernels.RoundF16(qh, qh)
		_ = kernels.F16RowsDot(D, s.k16[l][2*kvo:], 2*KV, qh, scale, sc[:T])
	} else {
		// sc[t] = Dot(qh, key t) * scale; rows are KV elements apart.
		_ = kernels.F32RowsDot(D, s.k[l][kvo:], KV, qh, scale, sc[:T])
	}
	maskSoftmax(sc, T)
	if s.kv == tensor.F16 {
		// The probabilities, likewise rounded to fp16. V is stored
		// transposed: row d of this head is vs elements long.
		kernels.RoundF16(sc, sc)
		_ = kernels.F16RowsDot(Tp, s.v16[l][2*kvo*s.vs:], 2*s.vs, sc, 1, out)
		return
	}
	// out[d] = Dot(sc, row d of this head's transposed values).
	_ = kernels.F32RowsDot(Tp, s.v[l][kvo*s.vs:], s.vs, sc, 1, out)
}

// attendGroup is attendHead for the g.n heads of group g of row i, which
// share their KV head, over a float32 cache: each key and value row is read
// once for all of them (F32RowsDotN), and each head's numbers are
// attendHead's, bit for bit.
func (m *Model) attendGroup(s *State, l, slot, i int, g headGroup) {
	c, b := m.Config, &s.buf
	D, Q, KV := c.HeadDim, c.QDim(), c.KVDim()
	T, Tp, kvo, scale := m.attnSpan(s, i, g.h)
	var sc, scT, q, out [kernels.MaxF32Group][]float32
	for j := range g.n {
		base := (kernels.MaxF32Group*slot + j) * s.cpad
		sc[j], scT[j] = b.scores[base:base+Tp], b.scores[base:base+T]
		q[j] = b.q[i*Q+(g.h+j)*D : i*Q+(g.h+j+1)*D]
		out[j] = b.att[i*Q+(g.h+j)*D : i*Q+(g.h+j+1)*D]
	}
	_ = kernels.F32RowsDotN(D, s.k[l][kvo:], KV, q[:g.n], scale, scT[:g.n])
	for j := range g.n {
		maskSoftmax(sc[j], T)
	}
	_ = kernels.F32RowsDotN(Tp, s.v[l][kvo*s.vs:], s.vs, sc[:g.n], 1, out[:g.n])
}

// attnSpan is the shape of head h's attention for row i: T positions
// (causal: 0…pos_i), Tp padded to a multiple of vLanes, the offset kvo of
// its KV head within a cache row, and the score scale 1/sqrt(head_dim).
// llama.cpp's scores span n_kv cells (a multiple of 256), the masked ones
// -Inf: the padding makes the softmax's 8-wide groups and the 32-lane V dot
// product add in the same order.
func (m *Model) attnSpan(s *State, i, h int) (T, Tp, kvo int, scale float32) {
	c := m.Config
	T = s.pos + i + 1
	Tp = (T + vLanes - 1) / vLanes * vLanes
	kvo = (h / (c.Heads / c.HeadsKV)) * c.HeadDim
	return T, Tp, kvo, float32(1 / math.Sqrt(float64(c.HeadDim)))
}

// maskSoftmax sets the padding cells sc[T:] to -Inf, which the softmax
// makes exactly 0, and turns sc into probabilities.
func maskSoftmax(sc []float32, T int) {
	for t := T; t < len(sc); t++ {
		sc[t] = float32(math.Inf(-1))
	}
	kernels.Softmax(sc)
}

// poolThreads returns the worker count of p (1 for a nil pool).
func poolThreads(p *kernels.Pool) int {
	if p == nil {
		return 1
	}
	return max(p.Threads(), 1)
}
