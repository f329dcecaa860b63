package model

import (
	"errors"
	"fmt"

	"github.com/plumewriter/plume/internal/tensor"
)

// ErrContextFull reports a forward pass that would run past the KV cache.
var ErrContextFull = errors.New("context window full")

// MaxBatch is the number of tokens one forward step processes at once
// (llama.cpp's default n_ubatch): prompts longer than this are evaluated in
// chunks, which bounds the scratch memory at MaxBatch rows.
const MaxBatch = 512

// State is one sequence's KV cache and scratch buffers. It is not safe for
// concurrent use; use one State per session.
type State struct {
	m    *Model
	ctx  int         // capacity in positions
	cpad int         // ctx rounded up to vLanes: the row length of v
	pos  int         // positions filled
	kv   tensor.Type // F32 or F16
	k    [][]float32 // F32 cache, per layer: [ctx][kv_dim]
	v    [][]float32 // F32 cache, per layer, transposed as in llama.cpp: [kv_dim][cpad]
	k16  [][]byte    // F16 cache (little-endian halves), same layouts
	v16  [][]byte
	buf  scratch
}

// scratch holds the per-step activations of up to rows tokens.
type scratch struct {
	rows       int
	x, xb, xb2 []float32 // [rows][embd]
	q, att     []float32 // [rows][q_dim]
	kk, vv     []float32 // [rows][kv_dim]
	hb, hb2    []float32 // [rows][ffn]
	cs         []float32 // [rows][rope_dim] cos/sin pairs
	scores     []float32 // [slots][2][ctx] attention scores per worker slot
	vh         []byte    // [rows][kv_dim] the batch's V rows as F16 (F16 cache)
	logits     []float32 // [wanted rows][vocab]
}

// vLanes is the padding of the transposed V cache rows. llama.cpp's
// attention output is a float32 dot product over n_kv cache cells (a
// multiple of 256, the unused ones zero) with 32 accumulator lanes; summing
// over a zero-padded multiple of 32 reproduces that order exactly.
const vLanes = 32

// NewState allocates a float32 KV cache of ctx positions (1..MaxContext; the
// model's training context is not enforced here).
func (m *Model) NewState(ctx int) (*State, error) { return m.NewStateKV(ctx, tensor.F32) }

// NewStateKV is NewState with the cache element type: F32, or F16 as
// llama.cpp's default cache (half the memory; keys and values are rounded
// to F16 when stored, and queries and attention weights before their dot
// products, as ggml does).
func (m *Model) NewStateKV(ctx int, kv tensor.Type) (*State, error) {
	c := m.Config
	if ctx < 1 || ctx > MaxContext {
		return nil, fmt.Errorf("context length %d, want 1..%d", ctx, MaxContext)
	}
	if kv != tensor.F32 && kv != tensor.F16 {
		return nil, fmt.Errorf("KV cache type %s, want F32 or F16", kv)
	}
	cpad := (ctx + vLanes - 1) / vLanes * vLanes
	s := &State{m: m, ctx: ctx, cpad: cpad, kv: kv}
	for range c.Layers {
		if kv == tensor.F16 {
			s.k16 = append(s.k16, make([]byte, 2*ctx*c.KVDim()))
			s.v16 = append(s.v16, make([]byte, 2*cpad*c.KVDim()))
			adviseHuge(s.v16[len(s.v16)-1])
		} else {
			s.k = append(s.k, make([]float32, ctx*c.KVDim()))
			s.v = append(s.v, make([]float32, cpad*c.KVDim()))
			adviseHuge(s.v[len(s.v)-1])
		}
	}
	return s, nil
}

// KVBytes returns the memory held by the cache's keys and values.
func (s *State) KVBytes() int64 {
	var n int64
	for l := range s.k16 {
		n += int64(len(s.k16[l]) + len(s.v16[l]))
	}
	for l := range s.k {
		n += 4 * int64(len(s.k[l])+len(s.v[l]))
	}
	return n
}

// Len returns the number of positions in the cache.
func (s *State) Len() int { return s.pos }

// Cap returns the cache capacity in positions.
func (s *State) Cap() int { return s.ctx }

// Truncate drops the cached positions from n on (0 resets the sequence), so
// a session can reuse a common prompt prefix.
func (s *State) Truncate(n int) {
	if n < 0 || n >= s.pos {
		return
	}
	// Zero the dropped V cells: they are summed (times a zero weight) by
	// the padded attention dot product, so they must stay finite.
	kv := s.m.Config.KVDim()
	for _, v := range s.v {
		for d := range kv {
			clear(v[d*s.cpad+n : d*s.cpad+s.pos])
		}
	}
	for _, v := range s.v16 {
		for d := range kv {
			clear(v[2*(d*s.cpad+n) : 2*(d*s.cpad+s.pos)])
		}
	}
	s.pos = n
}

// ensure sizes the scratch buffers for rows tokens and threads workers.
func (s *State) ensure(rows, slots int) {
	c := s.m.Config
	b := &s.buf
	if b.rows < rows {
		b.rows = rows
		b.x = make([]float32, rows*c.Embd)
		b.xb = make([]float32, rows*c.Embd)
		b.xb2 = make([]float32, rows*c.Embd)
		b.q = make([]float32, rows*c.QDim())
		b.att = make([]float32, rows*c.QDim())
		b.kk = make([]float32, rows*c.KVDim())
		b.vv = make([]float32, rows*c.KVDim())
		b.hb = make([]float32, rows*c.FFN)
		b.hb2 = make([]float32, rows*c.FFN)
		b.cs = make([]float32, rows*c.RopeDim)
	}
	if len(b.scores) < 2*slots*s.cpad { // two heads per slot (attendPair)
		b.scores = make([]float32, 2*slots*s.cpad)
	}
	if s.kv == tensor.F16 && len(b.vh) < rows*2*c.KVDim() {
		b.vh = make([]byte, rows*2*c.KVDim())
	}
}
