package model

import (
	"context"
	"math"
	"testing"

	"github.com/plumewriter/plume/internal/tensor"
	"github.com/plumewriter/plume/internal/testmodel"
)

// TestSnapshotRestore checks that restoring a prefix of a snapshot into a
// state that held another sequence gives the logits of a fresh state fed
// that prefix and the same continuation, for F32 and F16 caches, and that
// bad snapshots and lengths are refused.
func TestSnapshotRestore(t *testing.T) {
	spec := testmodel.Tiny("qwen2", tensor.Q8_0)
	_, m := openModel(t, writeSpec(t, spec, testmodel.Edit{}))
	ids := spec.PromptIDs(40)
	_, om := openModel(t, writeSpec(t, spec, testmodel.Edit{}))
	for _, kv := range []tensor.Type{tensor.F32, tensor.F16} {
		src, _ := m.NewStateKV(64, kv)
		if _, err := m.Forward(context.Background(), nil, src, ids[:30], false); err != nil {
			t.Fatal(err)
		}
		snap, err := src.Snapshot(30)
		if err != nil {
			t.Fatal(err)
		}
		if snap.Len() != 30 || snap.Bytes() != 30*src.PositionBytes() {
			t.Errorf("%s: snapshot of %d positions, %d bytes", kv, snap.Len(), snap.Bytes())
		}
		dst, _ := m.NewStateKV(64, kv)
		if _, err := m.Forward(context.Background(), nil, dst, ids[10:40], false); err != nil { // another sequence, longer
			t.Fatal(err)
		}
		if err := dst.Restore(snap, 20); err != nil || dst.Len() != 20 {
			t.Fatalf("%s: restore: %v, %d positions", kv, err, dst.Len())
		}
		got, err := m.Forward(context.Background(), nil, dst, ids[20:25], false)
		if err != nil {
			t.Fatal(err)
		}
		got = append([]float32(nil), got...)
		fresh, _ := m.NewStateKV(64, kv)
		want, _ := m.Forward(context.Background(), nil, fresh, ids[:25], false)
		for j := range want {
			if math.Float32bits(got[j]) != math.Float32bits(want[j]) {
				t.Fatalf("%s: logit %d after restore %v, fresh %v", kv, j, got[j], want[j])
			}
		}
		bad := []struct {
			name string
			err  error
		}{
			{"snapshot of 0 positions", func() error { _, err := src.Snapshot(0); return err }()},
			{"snapshot past the cache", func() error { _, err := src.Snapshot(31); return err }()},
			{"restore 0 positions", dst.Restore(snap, 0)},
			{"restore past the snapshot", dst.Restore(snap, 31)},
		}
		otherKV := tensor.F16
		if kv == tensor.F16 {
			otherKV = tensor.F32
		}
		otherType, _ := m.NewStateKV(64, otherKV)
		otherModel, _ := om.NewStateKV(64, kv)
		bad = append(bad, []struct {
			name string
			err  error
		}{
			{"restore into another cache type", otherType.Restore(snap, 10)},
			{"restore into another model's cache", otherModel.Restore(snap, 10)},
		}...)
		for _, b := range bad {
			if b.err == nil {
				t.Errorf("%s: %s accepted", kv, b.name)
			}
		}
	}
}
