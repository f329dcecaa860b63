package engine

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/model"
	"github.com/plumewriter/plume/internal/sample"
	"github.com/plumewriter/plume/internal/tensor"
	"github.com/plumewriter/plume/internal/testmodel"
	"github.com/plumewriter/plume/internal/testutil"
)

// fixtureMargin is the top-1/top-2 logit margin below which the shared
// fixtures' greedy ids (from a float64 forward pass) may differ from ours.
const fixtureMargin = 0.05

func loadModel(t testing.TB, path string, opts Options) *Model {
	t.Helper()
	m, err := Load(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func synthPath(t testing.TB, s testmodel.Spec) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), s.Name()+".gguf")
	if err := testmodel.WriteFile(s, path); err != nil {
		t.Fatal(err)
	}
	return path
}

type golden struct {
	PromptIDs []int32 `json:"prompt_ids"`
	GreedyIDs []int32 `json:"greedy_ids"`
}

// TestGreedyLlamaCpp generates greedily through a Session and requires
// llama.cpp's ids (internal/model's goldens, ≥ 64 tokens).
func TestGreedyLlamaCpp(t *testing.T) {
	for _, name := range []string{"stories260K", "TinyStories-656K-Q8_0"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("..", "model", "testdata", "goldens", name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			var g golden
			if err := json.Unmarshal(data, &g); err != nil {
				t.Fatal(err)
			}
			m := loadModel(t, testutil.Fixture(t, name+".gguf"), Options{Threads: 2})
			s, err := m.NewSession()
			if err != nil {
				t.Fatal(err)
			}
			var got []int32
			_, err = s.Generate(context.Background(), g.PromptIDs, GenerateOptions{MaxTokens: len(g.GreedyIDs)},
				func(o TokenOut) error { got = append(got, o.ID); return nil })
			if err != nil {
				t.Fatal(err)
			}
			if len(g.GreedyIDs) < 64 || !slices.Equal(got, g.GreedyIDs) {
				t.Errorf("greedy ids\n got %v\nwant %v", got, g.GreedyIDs)
			}
		})
	}
}

// TestTokenizedPrompt checks the text path: "Once upon a time" tokenizes to
// llama.cpp's ids and the story matches.
func TestTokenizedPrompt(t *testing.T) {
	m := loadModel(t, testutil.Fixture(t, "stories260K.gguf"), Options{})
	ids, err := m.Prompt(llm.Request{Prompt: "Once upon a time"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []int32{1, 403, 407, 261, 378}; !slices.Equal(ids, want) {
		t.Fatalf("prompt ids %v, llama.cpp %v", ids, want)
	}
	res, err := m.Generator().Generate(context.Background(), llm.Request{Prompt: "Once upon a time", MaxTokens: 16,
		Sampling: greedyParams()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := ", there was a little girl named Lily."; !strings.HasPrefix(res.Text, want) {
		t.Errorf("text %q, want prefix %q", res.Text, want)
	}
	if res.FinishReason != "length" || res.CompletionTokens != 16 || res.PromptTokens != 5 {
		t.Errorf("result %+v", res)
	}
}

func greedyParams() sample.Params {
	p := sample.DefaultParams()
	p.Temperature = 0
	return p
}

// TestFixtureGreedy teacher-forces the shared fixtures' greedy runs and
// requires the same argmax wherever the fixture's top-2 margin ≥ 0.05.
func TestFixtureGreedy(t *testing.T) {
	type run struct {
		PromptIDs    []int32     `json:"prompt_ids"`
		GeneratedIDs []int32     `json:"generated_ids"`
		LowMargin    [][]float64 `json:"low_margin_positions"`
	}
	var runs []run
	var s260 struct {
		run
		Low [][]float64 `json:"positions_with_margin_below_0.05"`
	}
	readJSON(t, testutil.Fixture(t, "stories260K.greedy.json"), &s260)
	s260.run.LowMargin = s260.Low
	var ts struct{ Cases []run }
	readJSON(t, testutil.Fixture(t, "TinyStories-656K-Q8_0.greedy.json"), &ts)
	runs = append(runs, s260.run)
	models := []string{"stories260K.gguf"}
	for _, c := range ts.Cases {
		runs = append(runs, c)
		models = append(models, "TinyStories-656K-Q8_0.gguf")
	}
	for i, r := range runs {
		m := loadModel(t, testutil.Fixture(t, models[i]), Options{})
		s, _ := m.NewSession()
		ids := append(append([]int32{}, r.PromptIDs...), r.GeneratedIDs...)
		sc, err := s.Score(context.Background(), ids, 1)
		if err != nil {
			t.Fatal(err)
		}
		skip := map[int]bool{}
		for _, lm := range r.LowMargin {
			skip[int(lm[0])] = true
		}
		checked := 0
		for k := range r.GeneratedIDs {
			pos := len(r.PromptIDs) - 1 + k
			if skip[k] {
				continue
			}
			checked++
			if got := sc[pos].Top[0].ID; got != r.GeneratedIDs[k] {
				t.Errorf("%s run %d: generated position %d: argmax %d, fixture %d", models[i], i, k, got, r.GeneratedIDs[k])
			}
		}
		t.Logf("%s run %d: %d/%d positions checked", models[i], i, checked, len(r.GeneratedIDs))
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// TestScoreMatchesGenerate checks that teacher-forced scoring (batched)
// reports exactly the log-probabilities of incremental generation, for
// 1, 2 and 3 threads.
func TestScoreMatchesGenerate(t *testing.T) {
	spec := testmodel.Base("llama", tensor.Q6_K)
	path := synthPath(t, spec)
	var first []float32
	for _, threads := range []int{1, 2, 3} {
		m := loadModel(t, path, Options{Threads: threads})
		s, _ := m.NewSession()
		prompt := spec.PromptIDs(6)
		var gen []TokenOut
		if _, err := s.Generate(context.Background(), prompt, GenerateOptions{MaxTokens: 10, TopLogprobs: 3},
			func(o TokenOut) error { gen = append(gen, o); return nil }); err != nil {
			t.Fatal(err)
		}
		ids := slices.Clone(prompt)
		for _, o := range gen {
			ids = append(ids, o.ID)
		}
		sc, err := s.Score(context.Background(), ids, 3)
		if err != nil {
			t.Fatal(err)
		}
		var lps []float32
		for k, o := range gen {
			got := sc[len(prompt)-1+k]
			if got.ID != o.ID || got.Logprob != o.Logprob || !slices.Equal(got.Top, o.Top) {
				t.Fatalf("threads %d, token %d: score %+v, generate %+v", threads, k, got, o)
			}
			lps = append(lps, o.Logprob)
		}
		if first == nil {
			first = lps
		} else if !slices.Equal(first, lps) {
			t.Fatalf("threads %d: logprobs %v, 1 thread %v", threads, lps, first)
		}
	}
}

// TestCancel checks that cancelling stops generation within one step.
// TestLogprobsOptIn: a token's log-probability is computed on request only
// (Logprobs, or TopLogprobs > 0), and asking for it changes nothing else:
// same tokens, and the same value either way it is asked for.
func TestLogprobsOptIn(t *testing.T) {
	spec := testmodel.Base("llama", tensor.Q6_K)
	m := loadModel(t, synthPath(t, spec), Options{Threads: 2})
	run := func(o GenerateOptions) []TokenOut {
		s, _ := m.NewSession()
		var gen []TokenOut
		o.MaxTokens = 8
		if _, err := s.Generate(context.Background(), spec.PromptIDs(6), o,
			func(t TokenOut) error { gen = append(gen, t); return nil }); err != nil {
			t.Fatal(err)
		}
		return gen
	}
	none, lp, top := run(GenerateOptions{}), run(GenerateOptions{Logprobs: true}), run(GenerateOptions{TopLogprobs: 2})
	for k := range none {
		if none[k].ID != lp[k].ID || lp[k].ID != top[k].ID {
			t.Fatalf("token %d: ids %d, %d, %d differ", k, none[k].ID, lp[k].ID, top[k].ID)
		}
		if none[k].Logprob != 0 || none[k].Top != nil {
			t.Errorf("token %d: logprob %v, top %v without asking", k, none[k].Logprob, none[k].Top)
		}
		if lp[k].Logprob >= 0 || lp[k].Logprob != top[k].Logprob || lp[k].Top != nil || len(top[k].Top) != 2 {
			t.Errorf("token %d: Logprobs %+v, TopLogprobs %+v", k, lp[k], top[k])
		}
	}
}

func TestCancel(t *testing.T) {
	m := loadModel(t, synthPath(t, testmodel.Tiny("qwen3", tensor.F32)), Options{})
	s, _ := m.NewSession()
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	st, err := s.Generate(ctx, []int32{5, 6, 7}, GenerateOptions{MaxTokens: 100}, func(TokenOut) error {
		n++
		if n == 3 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || st.FinishReason != "cancelled" {
		t.Fatalf("err %v, finish %q", err, st.FinishReason)
	}
	if n != 3 {
		t.Errorf("%d tokens after cancelling at the 3rd", n)
	}
}

// TestLimits checks context overflow, bad ids and option validation.
func TestLimits(t *testing.T) {
	path := synthPath(t, testmodel.Tiny("llama", tensor.F32))
	m := loadModel(t, path, Options{ContextLength: 16})
	if m.ContextLength() != 16 {
		t.Fatalf("context %d", m.ContextLength())
	}
	s, _ := m.NewSession()
	if _, err := s.Generate(context.Background(), make([]int32, 16), GenerateOptions{}, nil); !errors.Is(err, ErrContextLength) {
		t.Errorf("16-token prompt in a 16-token context: %v", err)
	}
	if _, err := s.Generate(context.Background(), []int32{1, 99999}, GenerateOptions{}, nil); err == nil {
		t.Error("token outside the vocabulary accepted")
	}
	st, err := s.Generate(context.Background(), []int32{1, 2, 3}, GenerateOptions{}, nil)
	if err != nil || st.FinishReason != "length" || st.Generated != 13 {
		t.Errorf("filling the context: %+v, %v", st, err)
	}
	if m2 := loadModel(t, path, Options{}); m2.ContextLength() != 256 {
		t.Errorf("default context %d, want the model's 256", m2.ContextLength())
	}
	for _, o := range []Options{{Threads: -1}, {ContextLength: -1}, {KVType: tensor.Q8_0}, {KVType: tensor.BF16}} {
		if _, err := Load(path, o); !errors.Is(err, ErrOptions) {
			t.Errorf("Load(%+v): %v", o, err)
		}
	}
}

// TestMemoryCheck asks for a context whose KV cache cannot fit.
func TestMemoryCheck(t *testing.T) {
	total, avail, ok := memInfo()
	if !ok {
		t.Skip("no " + meminfoPath + " on this system")
	}
	spec := testmodel.Tiny("llama", tensor.F32)
	spec.Context, spec.Layers = MaxContextLength, 128
	// 128 layers × 1M positions × 32 floats × 2 × 4 bytes = 32 GiB.
	need := StateBytes(model.Config{Layers: spec.Layers, Embd: spec.Embd, Heads: spec.Heads, HeadsKV: spec.HeadsKV,
		HeadDim: spec.HeadDim, FFN: spec.FFN, Vocab: spec.Vocab, RopeDim: spec.HeadDim}, MaxContextLength, tensor.F32)
	if need <= avail {
		t.Skipf("this machine has %d MiB available: the test needs less", avail>>20)
	}
	_, err := Load(synthPath(t, spec), Options{ContextLength: MaxContextLength})
	if !errors.Is(err, ErrMemory) {
		t.Fatalf("Load: %v, want ErrMemory (need %d MiB, available %d of %d)", err, need>>20, avail>>20, total>>20)
	}
	t.Log(err)
}

// TestKVF16 checks that an F16 cache is used (logprobs change) and stays
// close to the F32 one; exactness against llama.cpp's F16 cache is
// internal/model's TestGoldenKVF16.
func TestKVF16(t *testing.T) {
	spec := testmodel.Tiny("qwen2", tensor.F16)
	path := synthPath(t, spec)
	ids := spec.PromptIDs(20)
	var got [2][]Scored
	for i, kv := range []tensor.Type{tensor.F32, tensor.F16} {
		m := loadModel(t, path, Options{KVType: kv})
		s, err := m.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		if got[i], err = s.Score(context.Background(), ids, 0); err != nil {
			t.Fatal(err)
		}
	}
	same, worst := true, 0.0
	for k := range got[0] {
		d := float64(got[0][k].Logprob - got[1][k].Logprob)
		same = same && d == 0
		worst = max(worst, d, -d)
	}
	if same || worst > 1e-2 {
		t.Errorf("F16 vs F32 cache: identical %v, max |Δ logprob| %.3g", same, worst)
	}
}
