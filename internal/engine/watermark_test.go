package engine

import (
	"context"
	"testing"

	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/sample"
	"github.com/plumewriter/plume/internal/testutil"
	"github.com/plumewriter/plume/internal/watermark"
)

// TestWatermarkEndToEnd generates with the stories260K fixture, watermark on
// and off: the watermarked text is detected from its text alone (retokenized,
// as plume verify does), the other is not, and the watermarked text is
// byte-identical on one and two threads under the same seed.
func TestWatermarkEndToEnd(t *testing.T) {
	path := testutil.Fixture(t, "stories260K.gguf")
	key := watermark.DefaultKey()
	gen := func(threads int, wm sample.Watermark, seed uint64) string {
		m := loadModel(t, path, Options{Threads: threads})
		p := sample.DefaultParams()
		p.Seed = seed
		res, err := m.Generator().Generate(context.Background(),
			llm.Request{Prompt: "Once upon a time", MaxTokens: 300, Sampling: p, Watermark: wm}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return res.Text
	}
	tok := loadModel(t, path, Options{Threads: 1}).Tokenizer()
	detect := func(text string) watermark.Score {
		r, err := watermark.Detect(key, tok, []string{text})
		if err != nil {
			t.Fatal(err)
		}
		return r.Whole
	}
	for _, seed := range []uint64{1, 2} {
		on1, on2 := gen(1, key, seed), gen(2, key, seed)
		if on1 != on2 {
			t.Fatalf("seed %d: watermarked text differs between 1 and 2 threads:\n%q\n%q", seed, on1, on2)
		}
		off := gen(2, nil, seed)
		if off == on1 {
			t.Fatalf("seed %d: the watermark changed nothing", seed)
		}
		son, soff := detect(on1), detect(off)
		t.Logf("seed %d: watermarked %v; plain %v", seed, son, soff)
		if son.Verdict != watermark.VerdictWatermarked {
			t.Errorf("seed %d: watermarked text not detected: %v", seed, son)
		}
		if soff.Verdict != watermark.VerdictNone {
			t.Errorf("seed %d: plain text: %v", seed, soff)
		}
	}
}
