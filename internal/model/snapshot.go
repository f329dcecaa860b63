package model

import (
	"fmt"

	"github.com/plumewriter/plume/internal/tensor"
)

// KVSnapshot is a copy of the first positions of a State's KV cache, sized
// to those positions only, so that an engine can keep several sequences
// (a prompt cache) without a full-context cache for each. Restoring it
// gives a State the same bits it held when the snapshot was taken.
type KVSnapshot struct {
	m        *Model
	n        int         // positions held
	kv       tensor.Type // F32 or F16, as the State it came from
	k, v     [][]float32 // per layer: [n][kv_dim] and transposed [kv_dim][n]
	k16, v16 [][]byte    // the F16 layouts
}

// Len returns the number of positions the snapshot holds.
func (k *KVSnapshot) Len() int { return k.n }

// Bytes returns the memory the snapshot holds.
func (k *KVSnapshot) Bytes() int64 {
	return int64(k.n) * k.m.positionBytes(k.kv)
}

// PositionBytes returns the KV memory of one cached position: what a
// snapshot costs per token.
func (s *State) PositionBytes() int64 { return s.m.positionBytes(s.kv) }

func (m *Model) positionBytes(kv tensor.Type) int64 {
	elem := int64(4)
	if kv == tensor.F16 {
		elem = 2
	}
	return 2 * int64(m.Config.Layers) * int64(m.Config.KVDim()) * elem
}

// Snapshot copies the first n cached positions (0 < n ≤ Len()).
func (s *State) Snapshot(n int) (*KVSnapshot, error) {
	if n <= 0 || n > s.pos {
		return nil, fmt.Errorf("snapshot: %d positions, the cache holds %d", n, s.pos)
	}
	kvd := s.m.Config.KVDim()
	snap := &KVSnapshot{m: s.m, n: n, kv: s.kv}
	for l := range s.k {
		snap.k = append(snap.k, append([]float32(nil), s.k[l][:n*kvd]...))
		v := make([]float32, kvd*n)
		for d := range kvd {
			copy(v[d*n:(d+1)*n], s.v[l][d*s.vs:d*s.vs+n])
		}
		snap.v = append(snap.v, v)
	}
	for l := range s.k16 {
		snap.k16 = append(snap.k16, append([]byte(nil), s.k16[l][:2*n*kvd]...))
		v := make([]byte, 2*kvd*n)
		for d := range kvd {
			copy(v[2*d*n:2*(d+1)*n], s.v16[l][2*d*s.vs:2*(d*s.vs+n)])
		}
		snap.v16 = append(snap.v16, v)
	}
	return snap, nil
}

// Restore makes the cache hold the first n positions of snap (0 < n ≤
// snap.Len()), replacing what it held. The snapshot is not changed and can
// be restored again.
func (s *State) Restore(snap *KVSnapshot, n int) error {
	switch {
	case snap.m != s.m:
		return fmt.Errorf("restore: snapshot of another model")
	case snap.kv != s.kv:
		return fmt.Errorf("restore: %s snapshot into a %s cache", snap.kv, s.kv)
	case n <= 0 || n > snap.n || n > s.ctx:
		return fmt.Errorf("restore: %d positions of a %d-position snapshot into a %d-position cache", n, snap.n, s.ctx)
	}
	kvd := s.m.Config.KVDim()
	// Positions from n on must read as zero V cells (see Truncate); those
	// past s.pos already are.
	s.Truncate(n)
	s.resizeV(n)
	for l := range s.k {
		copy(s.k[l][:n*kvd], snap.k[l][:n*kvd])
		for d := range kvd {
			copy(s.v[l][d*s.vs:d*s.vs+n], snap.v[l][d*snap.n:d*snap.n+n])
		}
	}
	for l := range s.k16 {
		copy(s.k16[l][:2*n*kvd], snap.k16[l][:2*n*kvd])
		for d := range kvd {
			copy(s.v16[l][2*d*s.vs:2*(d*s.vs+n)], snap.v16[l][2*d*snap.n:2*(d*snap.n+n)])
		}
	}
	s.pos = n
	return nil
}
