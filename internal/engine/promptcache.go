package engine

import (
	"github.com/plumewriter/plume/internal/model"
)

// MaxCachedSequences is how many sequences a session's prompt cache keeps
// besides the one live in its KV cache. The article pipeline lays its calls
// out so that each finds its longest prefix in the live sequence (a draft
// in the draft before it, a revision and the review after it in the
// conversation before them, a review in the previous part's review; see
// docs/PROMPT-CACHE.md); the cached sequences serve callers that come back
// to an earlier sequence after another one, such as plume serve's clients
// taking turns on one slot. Four keep a few such conversations; the memory
// bound (promptCacheMemoryShare) evicts sooner when they are long.
const MaxCachedSequences = 4

// PromptCache keeps copies of the KV cache of sequences a session evaluated
// (prompt and output), least recently used first out, within a count
// (MaxCachedSequences) and a memory bound. A session looks a new prompt up
// in it when its live sequence shares less of the prompt than a cached one.
// Not safe for concurrent use: plume serve gives each slot's session its
// own.
type PromptCache struct {
	maxSeqs  int
	maxBytes int64
	bytes    int64
	entries  []*cachedSeq // least recently used first
}

// cachedSeq is one cached sequence: its token ids and their K/V.
type cachedSeq struct {
	ids  []int32
	snap *model.KVSnapshot
}

// NewPromptCache returns a cache of at most maxSeqs sequences holding at
// most maxBytes of K/V in all (0 or less: nothing is kept).
func NewPromptCache(maxSeqs int, maxBytes int64) *PromptCache {
	return &PromptCache{maxSeqs: max(maxSeqs, 0), maxBytes: max(maxBytes, 0)}
}

// Len returns the number of cached sequences.
func (c *PromptCache) Len() int { return len(c.entries) }

// Bytes returns the K/V memory the cached sequences hold.
func (c *PromptCache) Bytes() int64 { return c.bytes }

// commonPrefix is the number of leading tokens a and b share.
func commonPrefix(a, b []int32) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// lookup returns the cached sequence sharing the longest prefix with
// prompt, and that prefix's length (0 and nil when none shares a token).
func (c *PromptCache) lookup(prompt []int32) (*cachedSeq, int) {
	var best *cachedSeq
	bn := 0
	for _, e := range c.entries {
		if n := commonPrefix(e.ids, prompt); n > bn {
			best, bn = e, n
		}
	}
	return best, bn
}

// touch marks e as the most recently used.
func (c *PromptCache) touch(e *cachedSeq) {
	for i, x := range c.entries {
		if x == e {
			copy(c.entries[i:], c.entries[i+1:])
			c.entries[len(c.entries)-1] = e
			return
		}
	}
}

// save keeps the first len(ids) positions of st under ids, unless a cached
// sequence already extends ids; a cached sequence that ids extends is
// replaced (whatever it matched, ids matches at least as far). The least
// recently used sequences are then dropped to fit the bounds.
func (c *PromptCache) save(st *model.State, ids []int32) error {
	if len(ids) == 0 || c.maxSeqs == 0 || int64(len(ids))*st.PositionBytes() > c.maxBytes {
		return nil
	}
	for _, e := range c.entries {
		if commonPrefix(e.ids, ids) == len(ids) { // already cached, as this or a longer sequence
			c.touch(e)
			return nil
		}
	}
	kept := c.entries[:0]
	for _, e := range c.entries {
		if commonPrefix(e.ids, ids) == len(e.ids) { // superseded by ids
			c.bytes -= e.snap.Bytes()
			continue
		}
		kept = append(kept, e)
	}
	clear(c.entries[len(kept):])
	c.entries = kept
	snap, err := st.Snapshot(len(ids))
	if err != nil {
		return err
	}
	c.entries = append(c.entries, &cachedSeq{ids: append([]int32(nil), ids...), snap: snap})
	c.bytes += snap.Bytes()
	for len(c.entries) > c.maxSeqs || c.bytes > c.maxBytes {
		c.bytes -= c.entries[0].snap.Bytes()
		c.entries[0] = nil
		c.entries = c.entries[1:]
	}
	return nil
}
