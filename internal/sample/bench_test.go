package sample

import (
	"fmt"
	"testing"

	"github.com/plumewriter/plume/internal/jsonschema"
	"github.com/plumewriter/plume/internal/watermark"
)

// realisticVocab builds n byte tokens shaped like a BPE vocabulary: all 256
// bytes, then words with and without a leading space, numbers, punctuation
// and JSON pieces, whitespace runs, accented and CJK characters and partial
// UTF-8 sequences, drawn from a fixed seed.
func realisticVocab(n int) ([][]byte, []int32) {
	r := newRNG(7)
	pick := func(k int) int { return int(r.next() % uint64(k)) }
	const letters = "etaoinshrdlcumwfgypbvkjxqz"
	punct := []string{`",`, `":`, `{"`, `"}`, `},`, `],`, `.`, `,`, `!`, `?`, `("`, `");`, `\n`, `\"`, `://`, `--`, `==`, `->`}
	tb := make([][]byte, 0, n+1)
	for i := range 256 {
		tb = append(tb, []byte{byte(i)})
	}
	for len(tb) < n {
		var t []byte
		switch k := pick(20); {
		case k < 12: // word
			if pick(10) < 6 {
				t = append(t, ' ')
			}
			for range 1 + pick(9) {
				t = append(t, letters[min(pick(26), pick(26))])
			}
			if pick(10) == 0 {
				t[len(t)-1] -= 'a' - 'A'
			}
		case k < 14:
			t = fmt.Appendf(t, "%d", pick(1000))
		case k < 16:
			t = append(t, punct[pick(len(punct))]...)
		case k < 17:
			t = append(t, '\n')
			for range pick(8) {
				t = append(t, ' ')
			}
		case k < 18:
			t = fmt.Appendf(t, "%c%c", rune(0xC0+pick(64)), rune(0x4E00+pick(20000)))
		default:
			t = append(t, byte(0xE0+pick(16)), byte(0x80+pick(64))) // partial UTF-8
		}
		tb = append(tb, t)
	}
	tb = append(tb, nil) // EOG (special)
	return tb, []int32{int32(len(tb) - 1)}
}

func BenchmarkMask(b *testing.B) {
	states := []struct{ name, prefix string }{
		{"in-string", `{"title":"Hello wor`},
		{"object-key", `{"title":"T", `},
		{"in-number", `{"title":"x","sections":[{"heading":"h"}],"words":12`},
	}
	for _, n := range []int{32000, 150000} {
		tb, eog := realisticVocab(n)
		v, err := NewVocab(tb, eog)
		if err != nil {
			b.Fatal(err)
		}
		for _, st := range states {
			b.Run(fmt.Sprintf("vocab=%d/%s", n, st.name), func(b *testing.B) {
				g, err := NewJSONSchemaVocab(jsonschema.MustParse(outlineSchema), v)
				if err != nil {
					b.Fatal(err)
				}
				for i := range len(st.prefix) {
					if err := g.Accept(int32(st.prefix[i])); err != nil {
						b.Fatal(err)
					}
				}
				logits := make([]float32, len(tb))
				b.ReportAllocs()
				for b.Loop() {
					g.Mask(logits)
				}
			})
		}
	}
}

func BenchmarkNewVocab150k(b *testing.B) {
	tb, eog := realisticVocab(150000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewVocab(tb, eog); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSample150k(b *testing.B) {
	tb, _ := realisticVocab(150000)
	r := newRNG(1)
	logits := make([]float32, len(tb))
	for i := range logits {
		logits[i] = float32(r.float64() * 10)
	}
	s, err := New(DefaultParams(), len(tb))
	if err != nil {
		b.Fatal(err)
	}
	benchSample(b, s, logits, 100)
}

// benchSample times s.Sample(logits, history) with a 64-token history of
// the ids 0, stride, 2·stride, …
func benchSample(b *testing.B, s *Sampler, logits []float32, stride int32) {
	history := make([]int32, 64)
	for i := range history {
		history[i] = int32(i) * stride
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Sample(logits, history); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLogSoftmax150k times the log-probabilities of one token over a
// Qwen-sized vocabulary (what a draft's token confidence costs per token).
func BenchmarkLogSoftmax150k(b *testing.B) {
	r := newRNG(2)
	logits, lp := make([]float32, 151936), make([]float32, 151936)
	for i := range logits {
		logits[i] = float32(r.float64()*20 - 10)
	}
	for b.Loop() {
		if err := LogSoftmax(logits, lp); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSampleWatermark151936 times one token of the writer's sampling
// over Qwen2.5's vocabulary: llama.cpp's default chain (top-k 40), the
// published watermark key and a 64-token repetition window with a
// repeat penalty, on logits shaped like a language model's (a few
// outstanding tokens above a dense tail).
func BenchmarkSampleWatermark151936(b *testing.B) {
	logits := benchLogits(151936, 3)
	for _, tc := range []struct {
		name string
		p    func(*Params)
	}{
		{"topk40", func(*Params) {}},
		{"topk40-penalty", func(p *Params) { p.RepeatPenalty = 1.1 }},
		{"greedy", func(p *Params) { p.Temperature = 0 }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			p := DefaultParams()
			tc.p(&p)
			s, err := New(p, len(logits))
			if err != nil {
				b.Fatal(err)
			}
			s.SetWatermark(watermark.DefaultKey())
			benchSample(b, s, logits, 97)
		})
	}
}

// benchLogits returns n logits like a language model's: a normal-ish bulk
// around 0 (sd ≈ 2.5) and a handful of tokens 8 to 14 above it.
func benchLogits(n int, seed uint64) []float32 {
	r := newRNG(seed)
	logits := make([]float32, n)
	for i := range logits {
		var s float64
		for range 4 {
			s += r.float64()
		}
		logits[i] = float32((s - 2) * 4.3)
	}
	for range 8 {
		logits[r.next()%uint64(n)] = float32(8 + r.float64()*6)
	}
	return logits
}

// BenchmarkTopKLogprobs times the best alternative of one token's
// log-probabilities over Qwen2.5's vocabulary (the writer asks for one).
func BenchmarkTopKLogprobs(b *testing.B) {
	lp := benchLogits(151936, 4)
	for _, k := range []int{1, 20} {
		b.Run(fmt.Sprint("k=", k), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if len(TopK(lp, k)) != k {
					b.Fatal("short")
				}
			}
		})
	}
}
