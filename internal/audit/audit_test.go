package audit

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const sample = "\tsent_more\tsent_less\tstereo_antistereo\tbias_type\n" +
	"0\tA more.\tA less.\tstereo\tgender\n" +
	"1\tB more.\tB less.\tantistereo\tage\n" +
	"LA2\tC more.\tC less.\tstereo\tgender\n"

func TestParse(t *testing.T) {
	ds, err := Parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	want := []Pair{{"0", "A more.", "A less.", "stereo", "gender"}, {"1", "B more.", "B less.", "antistereo", "age"},
		{"LA2", "C more.", "C less.", "stereo", "gender"}}
	if !reflect.DeepEqual(ds.Pairs, want) || len(ds.SHA256) != 64 {
		t.Errorf("%+v %s", ds.Pairs, ds.SHA256)
	}
	crlf, err := Parse(strings.NewReader(strings.ReplaceAll(sample, "\n", "\r\n")))
	if err != nil || !reflect.DeepEqual(crlf.Pairs, want) {
		t.Errorf("CRLF: %v", err)
	}
}

func TestParseBad(t *testing.T) {
	h := "\tsent_more\tsent_less\tstereo_antistereo\tbias_type\n"
	for name, in := range map[string]string{
		"empty":         "",
		"no header":     "0\ta\tb\tstereo\tgender\n",
		"header only":   h,
		"columns":       h + "0\ta\tb\tstereo\n",
		"direction":     h + "0\ta\tb\tmaybe\tgender\n",
		"repeated id":   h + "0\ta\tb\tstereo\tgender\n0\tc\td\tstereo\tage\n",
		"empty texts":   h + "0\t\t\tstereo\tgender\n",
		"long sentence": h + "0\t" + strings.Repeat("x", MaxSentenceLen+1) + "\tb\tstereo\tgender\n",
		"bad utf-8":     h + "0\ta\xff\tb\tstereo\tgender\n",
		"no bias type":  h + "0\ta\tb\tstereo\t\n",
	} {
		if _, err := Parse(strings.NewReader(in)); !errors.Is(err, ErrData) {
			t.Errorf("%s: %v, want ErrData", name, err)
		}
	}
}

// TestParseSkipsHalfEmpty: a pair with one empty sentence is left out and
// listed (French CrowS-Pairs id 129 has no sent_less).
func TestParseSkipsHalfEmpty(t *testing.T) {
	in := sample + "129\tLes esclaves sont oubliés.\t\tstereo\tsocioeconomic\n"
	ds, err := Parse(strings.NewReader(in))
	if err != nil || len(ds.Pairs) != 3 || !reflect.DeepEqual(ds.Skipped, []string{"129"}) {
		t.Fatalf("%v %+v", err, ds)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(sample)
	f.Add("\tsent_more\tsent_less\tstereo_antistereo\tbias_type\n\n\n")
	f.Fuzz(func(t *testing.T, in string) {
		ds, err := Parse(strings.NewReader(in))
		if err != nil {
			return
		}
		for _, p := range ds.Pairs {
			if p.ID == "" || p.More == "" || p.Less == "" {
				t.Fatalf("bad pair accepted: %+v", p)
			}
		}
	})
}

// TestCompute checks the metric against values worked out by hand.
func TestCompute(t *testing.T) {
	scored := []Scored{
		{ID: "a", BiasType: "x", LLMore: -10, LLLess: -12}, // stereotyped, diff 2
		{ID: "b", BiasType: "x", LLMore: -15, LLLess: -11}, // not, diff 4
		{ID: "c", BiasType: "y", LLMore: -7, LLLess: -7},   // a tie is not stereotyped, diff 0
		{ID: "d", BiasType: "y", LLMore: -3, LLLess: -9},   // stereotyped, diff 6
	}
	r := Compute(scored, 1)
	if r.Pairs != 4 || r.PctStereotype.Value != 0.5 || r.LikelihoodDiff.Value != 3 {
		t.Fatalf("%+v", r)
	}
	for _, m := range []Metric{r.PctStereotype, r.LikelihoodDiff} {
		if !(m.Low <= m.Value && m.Value <= m.High) || m.Low == m.High {
			t.Errorf("interval %+v", m)
		}
	}
	if again := Compute(scored, 1); again != r {
		t.Error("same seed, different interval")
	}
	by := ByType(scored, 1)
	if by["x"].PctStereotype.Value != 0.5 || by["x"].LikelihoodDiff.Value != 3 || by["y"].PctStereotype.Value != 0.5 ||
		by["y"].LikelihoodDiff.Value != 3 || by["x"].Pairs != 2 {
		t.Errorf("by type %+v", by)
	}
	// All pairs identical: the interval collapses on the value.
	same := Compute([]Scored{{LLMore: -1, LLLess: -2}, {LLMore: -1, LLLess: -2}}, 3)
	if same.PctStereotype != (Metric{1, 1, 1}) || math.Abs(same.LikelihoodDiff.Value-1) > 1e-12 {
		t.Errorf("%+v", same)
	}
	if (Compute(nil, 1) != Result{}) {
		t.Error("empty")
	}
}

// fakeScorer scores a sentence by its length, counting calls, and cancels
// after cancelAt calls (0 = never).
type fakeScorer struct {
	calls, cancelAt int
	cancel          context.CancelFunc
}

func (f *fakeScorer) LogLikelihood(ctx context.Context, text string) (float64, error) {
	f.calls++
	if f.cancelAt > 0 && f.calls == f.cancelAt {
		f.cancel()
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	return -float64(len(text)) - float64(strings.Count(text, "e")), nil
}

// TestRunResume: an interrupted run keeps its pairs in the checkpoint; the
// next run scores only the rest, and the card is the uninterrupted one.
func TestRunResume(t *testing.T) {
	ds, err := Parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	full, err := (&Runner{Scorer: &fakeScorer{}}).Run(context.Background(), ds)
	if err != nil {
		t.Fatal(err)
	}
	ckpt := filepath.Join(t.TempDir(), "card.json.partial")
	ctx, cancel := context.WithCancel(context.Background())
	first := &fakeScorer{cancelAt: 4, cancel: cancel} // during pair 2: pair 1 is done
	r := &Runner{Scorer: first, Checkpoint: ckpt, ModelSHA256: "m"}
	if _, err := r.Run(ctx, ds); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v", err)
	}
	second := &fakeScorer{}
	var progress []int
	r = &Runner{Scorer: second, Checkpoint: ckpt, ModelSHA256: "m", Progress: func(d, _ int) { progress = append(progress, d) }}
	resumed, err := r.Run(context.Background(), ds)
	if err != nil {
		t.Fatal(err)
	}
	if second.calls != 4 || !reflect.DeepEqual(resumed, full) || !reflect.DeepEqual(progress, []int{1, 2, 3}) {
		t.Errorf("resume scored %d sentences (want 4); results equal: %v; progress %v", second.calls, reflect.DeepEqual(resumed, full), progress)
	}
	a := NewCard(CardModel{Ref: "m"}, CardDataset{Name: "d"}, full, "plume test", "2026-12-01T00:00:00Z")
	b := NewCard(CardModel{Ref: "m"}, CardDataset{Name: "d"}, resumed, "plume test", "2026-12-01T00:00:00Z")
	ja, _ := a.Marshal()
	jb, _ := b.Marshal()
	if string(ja) != string(jb) {
		t.Error("resumed card differs")
	}
	// Another model does not reuse the checkpoint.
	other := &fakeScorer{}
	if _, err := (&Runner{Scorer: other, Checkpoint: ckpt, ModelSHA256: "other"}).Run(context.Background(), ds); err != nil || other.calls != 6 {
		t.Errorf("other model: %d calls, %v", other.calls, err)
	}
}

func TestCardName(t *testing.T) {
	got := CardName(CardDataset{Name: "CrowS-Pairs French", SHA256: "1b5de822b34188375c04b949ec2e"})
	if got != "crows-pairs-french-1b5de822b341.json" {
		t.Errorf("CardName = %q", got)
	}
	if cards, _, err := LoadCards(t.TempDir(), "../../etc"); cards != nil || err != nil {
		t.Error("a non-sha model name was looked up")
	}
}
