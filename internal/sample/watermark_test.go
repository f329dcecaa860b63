package sample

import (
	"errors"
	"testing"
)

// evenGreen makes even token ids green.
type evenGreen struct{ delta float32 }

func (e evenGreen) Green(_, tok int32) bool { return tok%2 == 0 }
func (e evenGreen) Delta() float32          { return e.delta }

func TestWatermarkBias(t *testing.T) {
	logits := []float32{0, 1.5, 0.2, 1}
	tests := []struct {
		name    string
		wm      Watermark
		history []int32
		want    int32
	}{
		{"off", nil, []int32{3}, 1},
		{"green wins", evenGreen{2}, []int32{3}, 2}, // 0.2+2 > 1.5
		{"bias too small", evenGreen{0.5}, []int32{3}, 1},
		{"no history, no context", evenGreen{2}, nil, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := DefaultParams()
			p.Temperature = 0
			s, err := New(p, len(logits))
			if err != nil {
				t.Fatal(err)
			}
			s.SetWatermark(tc.wm)
			got, err := s.Sample(logits, tc.history)
			if err != nil || got != tc.want {
				t.Fatalf("Sample = %d, %v; want %d", got, err, tc.want)
			}
			if logits[2] != 0.2 {
				t.Fatal("Sample modified the logits")
			}
		})
	}
}

// TestWatermarkShiftsSampling: with temperature sampling, the green share
// of the choices rises well above the unbiased share, with the same seed
// stream reproducible.
func TestWatermarkShiftsSampling(t *testing.T) {
	logits := make([]float32, 64) // uniform: half the mass is green
	count := func(wm Watermark) (green int, ids []int32) {
		p := DefaultParams()
		p.TopK, p.TopP, p.MinP, p.Seed = 0, 1, 0, 9
		s, _ := New(p, len(logits))
		s.SetWatermark(wm)
		for range 2000 {
			id, err := s.Sample(logits, []int32{1})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
			if id%2 == 0 {
				green++
			}
		}
		return green, ids
	}
	plain, _ := count(nil)
	marked, ids1 := count(evenGreen{2})
	_, ids2 := count(evenGreen{2})
	// Expected green share with delta 2 on uniform logits: e²/(e²+1) ≈ 0.88.
	if plain < 850 || plain > 1150 || marked < 1650 {
		t.Errorf("green choices: %d plain, %d watermarked of 2000", plain, marked)
	}
	for i := range ids1 {
		if ids1[i] != ids2[i] {
			t.Fatalf("same seed, different choice at %d", i)
		}
	}
}

// A logit pushed to +Inf by the watermark's bias, a penalty or the
// temperature is an error, not a panic (min-p would keep nothing, and the
// softmax would be NaN); at temperature 0 the argmax is still well defined.
func TestOverflowedLogitIsAnError(t *testing.T) {
	big := float32(3e38)
	for _, tc := range []struct {
		name    string
		p       func(*Params)
		wm      Watermark
		logits  []float32
		wantErr bool
	}{
		{"watermark bias", func(p *Params) {}, evenGreen{big}, []float32{big, 1, big, 0}, true},
		{"repeat penalty", func(p *Params) { p.RepeatPenalty, p.RepeatLastN = 0.01, 4 }, nil, []float32{big, 1, 2, 0}, true},
		{"temperature", func(p *Params) { p.Temperature = 0.05 }, nil, []float32{big, 1, 2, 0}, true},
		{"greedy with the bias", func(p *Params) { p.Temperature = 0 }, evenGreen{big}, []float32{big, 1, big, 0}, false},
		{"no overflow", func(p *Params) {}, evenGreen{1}, []float32{3, 1, 2, 0}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := DefaultParams()
			tc.p(&p)
			s, err := New(p, len(tc.logits))
			if err != nil {
				t.Fatal(err)
			}
			s.SetWatermark(tc.wm)
			id, err := s.Sample(tc.logits, []int32{0, 3})
			if tc.wantErr != (err != nil) || (err != nil && !errors.Is(err, ErrLogits)) {
				t.Fatalf("Sample = %d, %v; want an ErrLogits error: %v", id, err, tc.wantErr)
			}
		})
	}
}
