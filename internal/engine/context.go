package engine

import (
	"fmt"

	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/tensor"
)

// Memory is the machine's memory as the load checks see it, in bytes.
// Total == 0 means unknown (no check).
type Memory struct {
	Total     uint64 // physical memory (MemTotal)
	Available uint64 // memory available for new allocations (MemAvailable)
}

// SystemMemory reads this machine's memory (/proc/meminfo on Linux; zero,
// that is unknown, elsewhere).
func SystemMemory() Memory {
	total, avail, ok := memInfo()
	if !ok {
		return Memory{}
	}
	return Memory{Total: total, Available: avail}
}

// orSystem is m, or the system's memory when m is the zero value.
func (m Memory) orSystem() Memory {
	if m == (Memory{}) {
		return SystemMemory()
	}
	return m
}

// Why a context is capped, as ContextLimit reports it.
const (
	LimitTrained = llm.LimitTrained
	LimitMemory  = llm.LimitMemory
	LimitCaller  = llm.LimitCaller
)

// ContextLimit is the largest context a session of m can have and what
// sets it: the model's trained window (LimitTrained), the positions whose
// KV cache (of m's KV type) fits in the memory seen at load beside the
// mapped weights (LimitMemory), or the context length the caller fixed in
// Options.ContextLength (LimitCaller).
func (m *Model) ContextLimit() (int, string) {
	if m.fixed {
		return m.ctxLen, LimitCaller
	}
	trained := m.model.Config.ContextLength
	fit := maxFittingContext(m.mem, m.file.Size(), m, m.kvType)
	if fit >= 0 && fit < trained {
		return fit, LimitMemory
	}
	return trained, LimitTrained
}

// maxFittingContext is the largest context whose session buffers pass
// checkMemory, or -1 when the memory is unknown.
func maxFittingContext(mem Memory, fileSize int64, m *Model, kv tensor.Type) int {
	if mem.Total == 0 {
		return -1
	}
	c := m.model.Config
	fixed := StateBytes(c, 0, kv)
	perPos := StateBytes(c, 1, kv) - fixed
	room := min(mem.Available, mem.Total-min(mem.Total, uint64(fileSize)))
	if room <= fixed || perPos == 0 {
		return 0
	}
	return int(min((room-fixed)/perPos, MaxContextLength))
}

// ContextLimit reports the generator's largest context (see
// Model.ContextLimit).
func (g *Generator) ContextLimit() (int, string) { return g.m.ContextLimit() }

// SetContextLength sets the KV cache size of the generator's session from
// the next call on (the cached prefix is dropped when the size changes).
// It must be within ContextLimit.
func (g *Generator) SetContextLength(n int) error {
	limit, why := g.m.ContextLimit()
	if n < 1 || n > limit {
		return fmt.Errorf("%w: context length %d, want 1..%d (%s)", ErrOptions, n, limit, why)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.sess != nil && g.sess.st.Cap() != n {
		g.sess = nil
	}
	g.ctxLen.Store(int64(n))
	return nil
}

// contextLength is the KV size of the generator's session.
func (g *Generator) contextLength() int {
	if n := g.ctxLen.Load(); n > 0 {
		return int(n)
	}
	return g.m.ctxLen
}

// newSessionLen allocates a session of n positions.
func (m *Model) newSessionLen(n int) (*Session, error) {
	st, err := m.model.NewStateKV(n, m.kvType)
	if err != nil {
		return nil, err
	}
	s := &Session{m: m, st: st, reuse: !m.noPromptCache}
	if s.reuse {
		budget := m.promptCacheBytes
		if budget == 0 {
			budget = defaultPromptCacheBytes(st.KVBytes(), m.mem)
		}
		s.cache = NewPromptCache(MaxCachedSequences, budget)
	}
	return s, nil
}
