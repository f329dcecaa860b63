package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plumewriter/plume/internal/audit"
	"github.com/plumewriter/plume/internal/library"
	"github.com/plumewriter/plume/internal/testutil"
)

// auditEnv returns a temporary directory and deps whose library (and so
// the bias cards) lives under it, with a fixed clock.
func auditEnv(t *testing.T) (string, *deps) {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("HF_HOME", filepath.Join(dir, "hf"))
	t.Setenv("HF_HUB_OFFLINE", "1")
	d := testDeps(filepath.Join(dir, "data", library.FileName))
	d.now = func() time.Time { return time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) }
	return dir, d
}

// crowsHead writes the header and the first n pairs of the English file.
func crowsHead(t *testing.T, dir string, n int) (string, [][2]string) {
	t.Helper()
	src := filepath.Join(testutil.SharedDir(t), "data", "crows-pairs", crowsPairsFiles["en"])
	f, err := os.Open(src)
	if err != nil {
		t.Skipf("CrowS-Pairs not found: %v", err)
	}
	defer f.Close()
	var lines []string
	var pairs [][2]string
	sc := bufio.NewScanner(f)
	for sc.Scan() && len(lines) <= n {
		lines = append(lines, sc.Text())
		if cols := strings.Split(sc.Text(), "\t"); len(lines) > 1 {
			pairs = append(pairs, [2]string{strings.TrimSpace(cols[1]), strings.TrimSpace(cols[2])})
		}
	}
	p := filepath.Join(dir, "pairs.tsv")
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p, pairs
}

func auditCard(t *testing.T, d *deps, args ...string) *audit.Card {
	t.Helper()
	stdout, stderr, err := execute(t, newAuditCmd(d), append([]string{"bias", "--json"}, args...)...)
	if err != nil {
		t.Fatalf("audit: %v\n%s", err, stderr)
	}
	var c audit.Card
	if err := json.Unmarshal([]byte(stdout), &c); err != nil {
		t.Fatalf("card: %v\n%s", err, stdout)
	}
	return &c
}

// TestAuditBiasHandComputed: the card's metrics for three pairs equal the
// ones computed by hand from plume run --echo's sentence log-likelihoods.
func TestAuditBiasHandComputed(t *testing.T) {
	model := testutil.Fixture(t, "stories260K.gguf")
	dir, d := auditEnv(t)
	data, pairs := crowsHead(t, dir, 3)
	ll := func(s string) float64 {
		out, err := execRun(t, "", model, "--prompt", s, "-n", "0", "--echo", "--json")
		if err != nil {
			t.Fatal(err)
		}
		var o runOutput
		if err := json.Unmarshal([]byte(out), &o); err != nil {
			t.Fatal(err)
		}
		var sum float64
		for _, e := range o.Echo[1:] { // the first token (BOS) has no context
			sum += float64(e.Logprob)
		}
		return sum
	}
	stereo, diff := 0.0, 0.0
	for _, p := range pairs {
		more, less := ll(p[0]), ll(p[1])
		t.Logf("ll(more) %.4f ll(less) %.4f", more, less)
		if more > less {
			stereo++
		}
		diff += math.Abs(more - less)
	}
	stereo, diff = stereo/3, diff/3
	c := auditCard(t, d, "--model", model, "--data", data, "--threads", "1")
	if c.Overall.Pairs != 3 || c.Overall.PctStereotype.Value != stereo || math.Abs(c.Overall.LikelihoodDiff.Value-diff) > 1e-3 {
		t.Errorf("card %+v, by hand pct %.4f diff %.4f", c.Overall, stereo, diff)
	}
	if c.Model.SHA256 != "270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d" || c.Model.Ref != "stories260K.gguf" ||
		!strings.Contains(c.Limits, "Norwegian Salmon") || c.Dataset.Pairs != 3 {
		t.Errorf("card header %+v %+v", c.Model, c.Dataset)
	}
}

// TestAuditBiasFull runs the whole English CrowS-Pairs audit on the fixture
// model, stores the card, and plume show prints it.
func TestAuditBiasFull(t *testing.T) {
	model := testutil.Fixture(t, "stories260K.gguf")
	dir, d := auditEnv(t)
	src := filepath.Join(testutil.SharedDir(t), "data", "crows-pairs", crowsPairsFiles["en"])
	c := auditCard(t, d, "--model", model, "--data", src, "--threads", "2")
	if c.Overall.Pairs != 1677 || c.Overall.PctStereotype.Value <= 0 || c.Overall.PctStereotype.Value >= 1 ||
		len(c.ByType) < 9 || c.Overall.PctStereotype.Low >= c.Overall.PctStereotype.High {
		t.Errorf("card %+v, %d bias types", c.Overall, len(c.ByType))
	}
	t.Logf("stories260K, English CrowS-Pairs: pct_stereotype %.3f [%.3f, %.3f], likelihood_diff %.3f",
		c.Overall.PctStereotype.Value, c.Overall.PctStereotype.Low, c.Overall.PctStereotype.High, c.Overall.LikelihoodDiff.Value)
	cards, paths, err := audit.LoadCards(filepath.Join(dir, "data"), c.Model.SHA256)
	if err != nil || len(cards) != 1 {
		t.Fatalf("stored cards: %v %v", paths, err)
	}
	if _, err := os.Stat(paths[0] + ".partial"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("checkpoint left behind: %v", err)
	}
	stdout, _, err := execute(t, newShowCmd(d), model)
	if err != nil || !strings.Contains(stdout, "Bias card: stories260K.gguf") || !strings.Contains(stdout, "pct_stereotype") {
		t.Errorf("show: %v\n%s", err, stdout)
	}
}

// TestArticleLinksBiasCard: an article written with a model that has a
// bias card links it in its manifest.
func TestArticleLinksBiasCard(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, synthetic)
	sha := strings.Repeat("ab", 32)
	card := audit.NewCard(audit.CardModel{Ref: "synthetic/tiny", SHA256: sha}, audit.CardDataset{Name: "CrowS-Pairs French",
		SHA256: strings.Repeat("1", 64), Pairs: 1}, []audit.Scored{{ID: "1", LLMore: -1, LLLess: -2}}, "plume test", "2026-12-01T00:00:00Z")
	b, _ := card.Marshal()
	cdir := audit.CardDir(filepath.Dir(env.lib), sha)
	os.MkdirAll(cdir, 0o700)
	os.WriteFile(filepath.Join(cdir, audit.CardName(card.Dataset)), b, 0o600)
	md := writeSynthetic(t, env, "Composting on a balcony", filepath.Join(env.dir, "out"))
	m := readManifest(t, strings.TrimSuffix(md, ".md")+".plume.json")
	if len(m.BiasCards) != 1 || m.BiasCards[0].PctStereotype != 1 || m.BiasCards[0].Card != "bias/"+sha+"/crows-pairs-french-111111111111.json" {
		t.Errorf("bias card links %+v", m.BiasCards)
	}
}

func TestAuditBiasUsage(t *testing.T) {
	dir, d := auditEnv(t)
	bad := filepath.Join(dir, "bad.tsv")
	os.WriteFile(bad, []byte("not a pairs file\n"), 0o644)
	var ue usageError
	for name, args := range map[string][]string{
		"lang":     {"bias", "--lang", "de"},
		"bad data": {"bias", "--data", bad},
		"missing":  {"bias", "--data", filepath.Join(dir, "none.tsv")},
		"args":     {"bias", "extra"},
		"verb":     {"fairness"},
	} {
		if _, _, err := execute(t, newAuditCmd(d), args...); !errors.As(err, &ue) {
			t.Errorf("%s: %v, want a usage error", name, err)
		}
	}
}

// TestAuditBiasResume: an audit interrupted part way (as by Ctrl-C) keeps
// its scored pairs, and running it again gives the same card as an
// uninterrupted run.
func TestAuditBiasResume(t *testing.T) {
	model := testutil.Fixture(t, "stories260K.gguf")
	dir, d := auditEnv(t)
	data, _ := crowsHead(t, dir, 300)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	partials := filepath.Join(dir, "data", "bias", "*", "*.partial")
	go func() { // cancel once a few pairs are in the checkpoint
		for ctx.Err() == nil {
			if m, _ := filepath.Glob(partials); len(m) == 1 {
				if b, _ := os.ReadFile(m[0]); strings.Count(string(b), "\n") >= 6 {
					cancel()
					return
				}
			}
			time.Sleep(time.Millisecond)
		}
	}()
	_, _, err := executeCtx(t, ctx, newAuditCmd(d), "bias", "--json", "--model", model, "--data", data, "--threads", "1")
	var ie interruptedError
	if !errors.As(err, &ie) {
		t.Fatalf("interrupted audit: %v, want an interruptedError", err)
	}
	m, _ := filepath.Glob(partials)
	if len(m) != 1 {
		t.Fatalf("no checkpoint after the interruption: %v", m)
	}
	b, _ := os.ReadFile(m[0])
	kept := strings.Count(string(b), "\n") - 1
	if kept < 5 || kept >= 300 {
		t.Fatalf("checkpoint holds %d pairs", kept)
	}
	resumed := auditCard(t, d, "--model", model, "--data", data, "--threads", "1")
	os.RemoveAll(filepath.Join(dir, "data", "bias"))
	fresh := auditCard(t, d, "--model", model, "--data", data, "--threads", "1")
	a, _ := resumed.Marshal()
	f, _ := fresh.Marshal()
	if string(a) != string(f) {
		t.Errorf("the resumed card (after %d pairs) differs from an uninterrupted run's:\n%s\n%s", kept, a, f)
	}
	// On another thread count the engine's batched forward pass rounds a
	// few logits differently (last float32 bit): the card agrees to 1e-5.
	os.RemoveAll(filepath.Join(dir, "data", "bias"))
	two := auditCard(t, d, "--model", model, "--data", data, "--threads", "2")
	if two.Overall.PctStereotype != fresh.Overall.PctStereotype ||
		math.Abs(two.Overall.LikelihoodDiff.Value-fresh.Overall.LikelihoodDiff.Value) > 1e-5 {
		t.Errorf("2 threads: %+v, 1 thread: %+v", two.Overall, fresh.Overall)
	}
}
