package model

import (
	"errors"
	"fmt"

	"github.com/plumewriter/plume/internal/hugepage"
	"github.com/plumewriter/plume/internal/kernels"
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
	cpad int         // ctx rounded up to vLanes: the longest V row
	vs   int         // the V rows' current length and stride (vRowFor)
	pos  int         // positions filled
	kv   tensor.Type // F32 or F16
	k    [][]float32 // F32 cache, per layer: [ctx][kv_dim]
	v    [][]float32 // F32 cache, per layer, transposed as in llama.cpp: [kv_dim][vs]
	k16  [][]byte    // F16 cache (little-endian halves), same layouts
	v16  [][]byte
	buf  scratch
}

// scratch holds the per-step activations of up to rows tokens.
type scratch struct {
	rows       int
	x, xb, xb2 []float32   // [rows][embd]
	q, att     []float32   // [rows][q_dim]
	kk, vv     []float32   // [rows][kv_dim]
	hb, hb2    []float32   // [rows][ffn]
	cs         []float32   // [rows][rope_dim] cos/sin pairs
	scores     []float32   // [slots][maxHeadGroup][cpad] attention scores per worker slot
	groups     []headGroup // the query heads attended together (headGroups)
	vh         []byte      // [rows][kv_dim] the batch's V rows as F16 (F16 cache)
	logits     []float32   // [wanted rows][vocab]
	embRow     []byte      // one token_embd row, where one is gathered from an interleaved layout (RowData)
}

// vLanes is the padding of the transposed V cache rows. llama.cpp's
// attention output is a float32 dot product over n_kv cache cells (a
// multiple of 256, the unused ones zero) with 32 accumulator lanes; summing
// over a zero-padded multiple of 32 reproduces that order exactly.
const vLanes = 32

// vMinRow is the V row length (positions) a cache starts with. The
// transposed V rows are as long as the positions held need, not the whole
// context: storing one token writes one element into each of kv_dim rows,
// and with rows a 4,096-position context apart those writes missed the
// caches one by one (0.6 ms a token, 2.5% of a 1B model's decode), where
// short rows close together are prefetched. Rows grow by doubling (moving
// the cells, amortised over the positions that filled them) up to cpad,
// and shrink when the cache is truncated. 256 positions are 1 KiB a row.
const vMinRow = 256

// vRowFor returns the V row length for n positions: vMinRow doubled until
// it holds them, at most cpad (a multiple of vLanes, as vMinRow is).
func (s *State) vRowFor(n int) int {
	r := min(vMinRow, s.cpad)
	for r < n && r < s.cpad {
		r = min(2*r, s.cpad)
	}
	return r
}

// resizeV lays the V rows out vRowFor(n) positions apart, keeping the s.pos
// cells each holds; n ≥ s.pos. Cells outside the held ones stay zero (see
// Truncate).
func (s *State) resizeV(n int) {
	to := s.vRowFor(n)
	if to == s.vs {
		return
	}
	kv := s.m.Config.KVDim()
	for _, v := range s.v {
		moveRows(v, kv, s.vs, to, s.pos)
	}
	for _, v := range s.v16 {
		moveRows(v, kv, 2*s.vs, 2*to, 2*s.pos)
	}
	s.vs = to
}

// moveRows moves rows of live elements from a stride of from to a stride
// of to, in place, and zeroes what each row leaves behind, so that only the
// moved cells are non-zero when only the old ones were. Rows that move up
// are moved last first, rows that move down first first: no row's old
// cells are overwritten before they move, and the cells a row leaves
// behind (its old ones outside its new ones) hold no other row's.
func moveRows[T float32 | byte](v []T, rows, from, to, live int) {
	move := func(d int) {
		src, dst := d*from, d*to
		copy(v[dst:dst+live], v[src:src+live])
		if dst > src {
			clear(v[src:min(src+live, dst)])
		} else {
			clear(v[max(src, dst+live) : src+live])
		}
	}
	if to > from {
		for d := rows - 1; d > 0; d-- {
			move(d)
		}
		return
	}
	for d := 1; d < rows; d++ {
		move(d)
	}
}

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
	s.vs = s.vRowFor(0)
	// The V rows are stored transposed: one token's attention reads a few
	// elements from each of kv_dim rows per layer, a different 4 KiB page
	// each once the rows are long, and walks the page tables for most of
	// them; huge pages take most of those walks away.
	for range c.Layers {
		if kv == tensor.F16 {
			s.k16 = append(s.k16, make([]byte, 2*ctx*c.KVDim()))
			s.v16 = append(s.v16, make([]byte, 2*cpad*c.KVDim()))
			hugepage.Advise(s.v16[len(s.v16)-1])
		} else {
			s.k = append(s.k, make([]float32, ctx*c.KVDim()))
			s.v = append(s.v, make([]float32, cpad*c.KVDim()))
			hugepage.Advise(s.v[len(s.v)-1])
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
// a session can reuse a common prompt prefix. The V rows shrink to what n
// positions need.
func (s *State) Truncate(n int) {
	if n < 0 || n >= s.pos {
		return
	}
	// Zero the dropped V cells: they are summed (times a zero weight) by
	// the padded attention dot product, so they must stay finite.
	kv := s.m.Config.KVDim()
	for _, v := range s.v {
		for d := range kv {
			clear(v[d*s.vs+n : d*s.vs+s.pos])
		}
	}
	for _, v := range s.v16 {
		for d := range kv {
			clear(v[2*(d*s.vs+n) : 2*(d*s.vs+s.pos)])
		}
	}
	s.pos = n
	s.resizeV(n)
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
	if len(b.scores) < kernels.MaxF32Group*slots*s.cpad { // a group of heads per slot (attendGroup)
		b.scores = make([]float32, kernels.MaxF32Group*slots*s.cpad)
	}
	// Whatever the layout now: it may change as the model runs
	// (Loader.CopyInBackground).
	if e := s.m.Weights.TokEmbd; len(b.embRow) < e.RowBytes() {
		b.embRow = make([]byte, e.RowBytes())
	}
	if s.kv == tensor.F16 && len(b.vh) < rows*2*c.KVDim() {
		b.vh = make([]byte, rows*2*c.KVDim())
	}
}
