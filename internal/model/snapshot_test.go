package model

import (
	"context"
	"fmt"
	"github.com/plumewriter/plume/internal/kernels"
	"math"
	"slices"
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

// TestVRowsResize checks that the V rows' growth and shrinking (vRowFor)
// change no bit: a sequence fed in parts that cross two doublings, then
// truncated and fed again, and restored from snapshots taken at other row
// lengths, gives the logits of a fresh state fed it at once; and that every
// V cell outside the held positions is zero after each step (the padded
// attention dot reads them).
func TestVRowsResize(t *testing.T) {
	spec := testmodel.Tiny("llama", tensor.Q8_0)
	_, m := openModel(t, writeSpec(t, spec, testmodel.Edit{}))
	ids := spec.PromptIDs(700)
	const ctx = 1024
	wantAt := func(kv tensor.Type, n int) []float32 {
		fresh, _ := m.NewStateKV(ctx, kv)
		want, err := m.Forward(context.Background(), nil, fresh, ids[:n], false)
		if err != nil {
			t.Fatal(err)
		}
		return append([]float32(nil), want...)
	}
	for _, kv := range []tensor.Type{tensor.F32, tensor.F16} {
		s, _ := m.NewStateKV(ctx, kv)
		feed := func(from, to, wantRow int) {
			t.Helper()
			got, err := m.Forward(context.Background(), nil, s, ids[from:to], false)
			if err != nil {
				t.Fatal(err)
			}
			if s.vs != wantRow {
				t.Errorf("%s: %d positions in rows of %d, want %d", kv, s.pos, s.vs, wantRow)
			}
			sameBits(t, kv.String(), got, wantAt(kv, to))
			checkVZeros(t, s)
		}
		feed(0, 100, 256)
		feed(100, 300, 512)
		feed(300, 600, 1024)
		snap, _ := s.Snapshot(600)
		s.Truncate(100)
		if s.vs != 256 {
			t.Errorf("%s: truncated to 100 positions, rows of %d, want 256", kv, s.vs)
		}
		checkVZeros(t, s)
		feed(100, 300, 512)
		if err := s.Restore(snap, 550); err != nil {
			t.Fatal(err)
		}
		checkVZeros(t, s)
		feed(550, 560, 1024)
		if err := s.Restore(snap, 200); err != nil {
			t.Fatal(err)
		}
		checkVZeros(t, s)
		feed(200, 210, 256)
	}
}

func sameBits(t *testing.T, what string, got, want []float32) {
	t.Helper()
	for j := range want {
		if math.Float32bits(got[j]) != math.Float32bits(want[j]) {
			t.Fatalf("%s: logit %d is %v, want %v", what, j, got[j], want[j])
		}
	}
}

// checkVZeros fails if a V cell outside the held positions is not zero.
func checkVZeros(t *testing.T, s *State) {
	t.Helper()
	kv := s.m.Config.KVDim()
	for l, v := range s.v {
		for i, x := range v {
			if d, p := i/s.vs, i%s.vs; x != 0 && (d >= kv || p >= s.pos) {
				t.Fatalf("layer %d: V cell %d (row %d, position %d) is %v with %d positions held", l, i, d, p, x, s.pos)
			}
		}
	}
	for l, v := range s.v16 {
		for i, x := range v {
			if d, p := i/(2*s.vs), i%(2*s.vs)/2; x != 0 && (d >= kv || p >= s.pos) {
				t.Fatalf("layer %d: F16 V byte %d (row %d, position %d) is %#x with %d positions held", l, i, d, p, x, s.pos)
			}
		}
	}
}

// moveRows moves each row's live cells and leaves zeros everywhere else,
// up and down, and with rows that overlap their old place.
func TestMoveRows(t *testing.T) {
	for _, tc := range []struct{ rows, from, to, live int }{
		{5, 8, 16, 3}, {5, 16, 8, 3}, {6, 4, 6, 4}, {6, 6, 4, 4}, {3, 32, 256, 0}, {4, 256, 32, 32},
	} {
		v := make([]float32, tc.rows*max(tc.from, tc.to))
		for d := range tc.rows {
			for p := range tc.live {
				v[d*tc.from+p] = float32(100*(d+1) + p)
			}
		}
		moveRows(v, tc.rows, tc.from, tc.to, tc.live)
		for i, x := range v {
			d, p := i/tc.to, i%tc.to
			want := float32(0)
			if d < tc.rows && p < tc.live {
				want = float32(100*(d+1) + p)
			}
			if x != want {
				t.Fatalf("%+v: cell %d is %v, want %v", tc, i, x, want)
			}
		}
	}
}

// TestHeadGroups checks that attending the query heads of one KV head in
// groups (attendGroup, as many at a time as the kernels read at once: three
// with AVX2, six with AVX-512; the CI runs this under every kernel cap)
// gives the logits of one head at a time (attendHead), bit for bit, for
// group sizes 1 to 8, over prompts and decode steps; and how headGroups
// splits them.
func TestHeadGroups(t *testing.T) {
	for _, tc := range []struct {
		heads, kv    int
		want3, want6 []int // group sizes of the first KV head, three or six at most
	}{
		{2, 2, []int{1}, []int{1}}, {4, 2, []int{2}, []int{2}}, {6, 2, []int{3}, []int{3}},
		{8, 2, []int{2, 2}, []int{4}}, {10, 2, []int{3, 2}, []int{5}}, {12, 2, []int{3, 3}, []int{6}},
		{7, 1, []int{3, 2, 2}, []int{4, 3}}, {8, 1, []int{3, 3, 2}, []int{4, 4}}, {14, 1, []int{3, 3, 3, 3, 2}, []int{5, 5, 4}},
	} {
		want := tc.want3
		if kernels.F32GroupSize() == 6 {
			want = tc.want6
		}
		pool := kernels.NewPool(2) // two worker slots, each with its scores
		defer pool.Close()
		spec := testmodel.Tiny("qwen2", tensor.Q8_0)
		spec.Heads, spec.HeadsKV, spec.HeadDim = tc.heads, tc.kv, 32
		_, m := openModel(t, writeSpec(t, spec, testmodel.Edit{}))
		ids := spec.PromptIDs(60)
		grouped, _ := m.NewState(128)
		single, _ := m.NewState(128)
		var sizes []int
		for _, g := range grouped.headGroups() {
			if g.h < tc.heads/tc.kv {
				sizes = append(sizes, g.n)
			}
		}
		if !slices.Equal(sizes, want) {
			t.Errorf("%d heads, %d KV heads: groups %v, want %v", tc.heads, tc.kv, sizes, want)
		}
		for h := range tc.heads {
			single.buf.groups = append(single.buf.groups, headGroup{h, 1})
		}
		for _, part := range [][2]int{{0, 40}, {40, 41}, {41, 42}, {42, 60}} {
			want, err := m.Forward(context.Background(), nil, single, ids[part[0]:part[1]], false)
			if err != nil {
				t.Fatal(err)
			}
			want = append([]float32(nil), want...)
			got, err := m.Forward(context.Background(), pool, grouped, ids[part[0]:part[1]], false)
			if err != nil {
				t.Fatal(err)
			}
			sameBits(t, fmt.Sprintf("%d heads, %d KV heads, positions %v", tc.heads, tc.kv, part), got, want)
		}
	}
}
