package writer

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plumewriter/plume/internal/engine"
	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/tensor"
	"github.com/plumewriter/plume/internal/testmodel"
	"github.com/plumewriter/plume/internal/writer/fakegen"
)

// enginePlanned is the local engine as the writer sees it before
// generating (window, limits, token counts) with fakegen's answers, so that
// a whole run is planned on a real model shape without decoding with
// random weights.
type enginePlanned struct {
	*fakegen.Generator
	eng *engine.Generator
}

func (g enginePlanned) Info() llm.ModelInfo               { return g.eng.Info() }
func (g enginePlanned) CountTokens(s string) (int, error) { return g.eng.CountTokens(s) }
func (g enginePlanned) ContextLimit() (int, string)       { return g.eng.ContextLimit() }
func (g enginePlanned) SetContextLength(n int) error      { return g.eng.SetContextLength(n) }
func (g enginePlanned) Generate(ctx context.Context, req llm.Request, on func(llm.Token) error) (llm.Result, error) {
	return g.Generator.Generate(ctx, req, on)
}

// synthModel loads a synthetic qwen2 model with the given trained window.
func synthModel(t *testing.T, window int, opts engine.Options) *engine.Model {
	t.Helper()
	spec := testmodel.Tiny("qwen2", tensor.F32)
	spec.Context = window
	path := filepath.Join(t.TempDir(), "synth.gguf")
	if err := testmodel.WriteFile(spec, path); err != nil {
		t.Fatal(err)
	}
	opts.Threads = 1
	m, err := engine.Load(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

var plenty = engine.Memory{Total: 64 << 30, Available: 32 << 30}

func frenchOptions() Options {
	o := testOptions("Pourquoi le compost change un petit jardin")
	o.Words, o.Lang, o.Keywords = 800, "fr", []string{"compost", "jardin"}
	return o
}

// TestPlanNotShrunkByADefault is #18 item 6: an 800-word French article on
// a model whose trained window is 32,768 tokens gets its full plan (no
// answer limit reduced) and the window that plan needs, not the engine's
// 4,096-token default; a limit that does require shrinking is named.
func TestPlanNotShrunkByADefault(t *testing.T) {
	m := synthModel(t, 32768, engine.Options{Memory: plenty})
	g := enginePlanned{Generator: &fakegen.Generator{}, eng: m.Generator().(*engine.Generator)}
	if got := g.Info().ContextLength; got != engine.DefaultContextLength {
		t.Fatalf("the engine opens with %d positions; the test expects its default %d", got, engine.DefaultContextLength)
	}
	p := newPipeline(g)
	st, err := p.NewState(frenchOptions())
	if err != nil {
		t.Fatal(err)
	}
	pl, err := p.Plan(st)
	if err != nil {
		t.Fatal(err)
	}
	if pl.Limit != "" || pl.Shrunk(800) || pl.Context != pl.Needed || pl.Context <= engine.DefaultContextLength || pl.Context > 32768 {
		t.Fatalf("plan %+v: want the full limits in a window between %d and 32768", pl, engine.DefaultContextLength)
	}
	t.Logf("plan: window %d (needed %d)", pl.Context, pl.Needed)
	art, _ := runArticle(t, g, frenchOptions())
	if got := art.Manifest.Model.ContextLength; got != pl.Context {
		t.Errorf("the run used a %d-token window, the plan asked for %d", got, pl.Context)
	}
	if art.Manifest.Model.TrainedContextLength != 32768 {
		t.Errorf("trained window recorded as %d", art.Manifest.Model.TrainedContextLength)
	}
	for _, w := range art.Manifest.Warnings {
		if strings.Contains(w, "reduced") || strings.Contains(w, "cut") || strings.HasPrefix(w, "plan:") {
			t.Errorf("the plan was shrunk: %s", w)
		}
	}
	for _, req := range g.Requests() {
		if stageOf(req) != StageOutline {
			continue
		}
		sch, err := req.JSONSchema.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(sch), `"maxItems":3`) {
			t.Errorf("outline schema without the default 3 subsections: %s", sch)
		}
	}
}

func TestPlanShrinksOnlyForALimit(t *testing.T) {
	trained := synthModel(t, 2048, engine.Options{Memory: plenty})
	fixed := synthModel(t, 32768, engine.Options{Memory: plenty, ContextLength: 3000})
	// Memory for about 5000 positions (the default 4096 load) of this model's F32 KV cache.
	big := synthModel(t, 32768, engine.Options{Memory: plenty})
	c := big.Config()
	perPos := engine.StateBytes(c, 1, tensor.F32) - engine.StateBytes(c, 0, tensor.F32)
	avail := engine.StateBytes(c, 0, tensor.F32) + 5000*perPos
	small := synthModel(t, 32768, engine.Options{Memory: engine.Memory{Total: 1 << 30, Available: avail}})
	for _, tc := range []struct {
		name  string
		m     *engine.Model
		limit string
	}{
		{"trained window", trained, llm.LimitTrained},
		{"memory", small, llm.LimitMemory},
		{"--ctx", fixed, llm.LimitCaller},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := enginePlanned{Generator: &fakegen.Generator{}, eng: tc.m.Generator().(*engine.Generator)}
			p := newPipeline(g)
			st, _ := p.NewState(frenchOptions())
			if err := p.Preflight(st); err != nil {
				t.Fatal(err)
			}
			pl := *p.plan
			if pl.Limit != tc.limit || !pl.Shrunk(800) || pl.Context >= pl.Needed {
				t.Fatalf("plan %+v, want shrunk by %q", pl, tc.limit)
			}
			if got := g.Info().ContextLength; got != pl.Context {
				t.Errorf("window %d, plan %d", got, pl.Context)
			}
			if len(st.Warnings) != 1 || !strings.Contains(st.Warnings[0], tc.limit) {
				t.Errorf("warnings %q, want one naming %q", st.Warnings, tc.limit)
			}
		})
	}
}

// TestSmallCtxIsNotTheModelsWindow: with --ctx 600 the error says the
// window was set by --ctx, not that the model's window is 600 (#18 item 12).
func TestSmallCtxIsNotTheModelsWindow(t *testing.T) {
	m := synthModel(t, 32768, engine.Options{Memory: plenty, ContextLength: 600})
	g := enginePlanned{Generator: &fakegen.Generator{}, eng: m.Generator().(*engine.Generator)}
	p := newPipeline(g)
	st, _ := p.NewState(frenchOptions())
	err := p.Preflight(st)
	if !errors.Is(err, ErrContext) {
		t.Fatalf("Preflight: %v, want ErrContext", err)
	}
	// The hint the user reads: the flag to raise, not the model's window.
	if strings.Contains(err.Error(), "model's context window") || !strings.Contains(err.Error(), "--ctx") {
		t.Errorf("error %q claims the model's window or does not name --ctx", err)
	}
}
