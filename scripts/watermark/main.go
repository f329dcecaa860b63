// Command watermark measures Plume's text watermark (internal/watermark) and
// writes docs/WATERMARK.md: the false-positive rate on human text, the
// detection rate of generated text by length and after word replacement, and
// the quality cost. Run it through scripts/watermark/run.sh.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/plumewriter/plume/internal/engine"
	"github.com/plumewriter/plume/internal/gguf"
	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/sample"
	"github.com/plumewriter/plume/internal/tokenizer"
	"github.com/plumewriter/plume/internal/watermark"
)

// Settings of the measurement, fixed so that a rerun gives the same figures.
const (
	// sentencesPerParagraph joins CrowS-Pairs sentences into paragraphs of
	// about 150-250 tokens, the size of an article paragraph.
	sentencesPerParagraph = 8
	// samples is how many generated texts each rate is measured on.
	samples = 60
	// maxLen is the longest generated text measured.
	maxLen = 800
	// modelFile is the fixture that writes the generated texts.
	modelFile = "fixtures/stories260K.gguf"
)

var articles *int

var lengths = []int{100, 200, 400, 800}

var prompts = []string{"Once upon a time", "One day, a little girl", "Tom and his dog", "The sun was shining",
	"Lily wanted to", "There was a big tree", "Ben saw a bird", "Mom said"}

func main() {
	shared := flag.String("shared", "../shared", "the shared directory (fixtures, data)")
	out := flag.String("out", "docs/WATERMARK.md", "where to write the report")
	articles = flag.Int("articles", 4, "full articles per setting for the quality-rules pass rate (0 = skip)")
	flag.Parse()
	log.SetFlags(0)
	r := &report{shared: *shared}
	if err := r.run(); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, []byte(r.markdown()), 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("wrote %s", *out)
}

type report struct {
	shared string
	human  []humanRow
	byLen  []lenRow
	edits  []editRow
	qual   qualityRow
	rules  rulesRow
}

func (r *report) run() error {
	key := watermark.DefaultKey()
	model, err := engine.Load(filepath.Join(r.shared, modelFile), engine.Options{Threads: 2})
	if err != nil {
		return err
	}
	defer model.Close()
	if err := r.measureHuman(key, model.Tokenizer()); err != nil {
		return err
	}
	log.Printf("generating %d texts of %d tokens, with and without the watermark", samples, maxLen)
	marked, plain, err := generateAll(model, key)
	if err != nil {
		return err
	}
	tok := model.Tokenizer()
	for _, n := range lengths {
		row := lenRow{tokens: n}
		for i := range marked {
			row.detected.add(detect(key, tok, marked[i].prefix(n)))
			row.plainFP.add(detect(key, tok, plain[i].prefix(n)))
		}
		r.byLen = append(r.byLen, row)
	}
	pool := wordPool(r.shared)
	for _, n := range []int{400, 800} {
		for _, frac := range []float64{0.10, 0.25, 0.50} {
			row := editRow{tokens: n, frac: frac}
			rng := rand.New(rand.NewPCG(uint64(n), uint64(frac*100)))
			for i := range marked {
				row.detected.add(detect(key, tok, replaceWords(marked[i].prefix(n), frac, pool, rng)))
			}
			r.edits = append(r.edits, row)
		}
	}
	r.qual = quality(marked, plain)
	if *articles > 0 {
		log.Printf("writing %d articles per setting for the quality rules", *articles)
		r.rules, err = rulesPassRate(filepath.Join(r.shared, modelFile), *articles)
	}
	return err
}

// tally counts verdicts and z-scores.
type tally struct {
	n, positive, tooShort int
	sumZ, maxZ            float64
	sumScored             int
	over2, over3          int
}

func (t *tally) add(s watermark.Score) {
	if t.n == 0 || s.Z > t.maxZ {
		t.maxZ = s.Z
	}
	t.n++
	t.sumZ += s.Z
	t.sumScored += s.Scored
	switch s.Verdict {
	case watermark.VerdictWatermarked:
		t.positive++
	case watermark.VerdictTooShort:
		t.tooShort++
	}
	if s.Z > 2 {
		t.over2++
	}
	if s.Z > 3 {
		t.over3++
	}
}

func (t tally) rate() string {
	return fmt.Sprintf("%d/%d (%.1f%%)", t.positive, t.n, 100*float64(t.positive)/float64(t.n))
}
func (t tally) meanZ() float64 { return t.sumZ / float64(t.n) }

func detect(key *watermark.Key, tok *tokenizer.Tokenizer, paras []string) watermark.Score {
	rep, err := watermark.Detect(key, tok, paras)
	if err != nil {
		log.Fatal(err)
	}
	return rep.Whole
}

// ---- human text ----

type humanRow struct {
	source, tokenizer string
	paras             tally
}

// vocabularies are the tokenizers human text is scored with: the fixture
// model's and two real ones.
var vocabularies = []struct{ name, file string }{
	{"stories260K (SPM, 512)", modelFile},
	{"llama-spm (SPM, 32k)", "fixtures/vocab/ggml-vocab-llama-spm.gguf"},
	{"gpt-2 (BPE, 50k)", "fixtures/vocab/ggml-vocab-gpt-2.gguf"},
}

func (r *report) measureHuman(key *watermark.Key, _ *tokenizer.Tokenizer) error {
	sources := map[string][]string{}
	var order []string
	for _, c := range []struct{ name, file string }{
		{"CrowS-Pairs English", "crows_pairs_EN_revised+210.csv"},
		{"CrowS-Pairs French", "crows_pairs_FR_languagearc_contribution+210.csv"},
	} {
		paras, err := crowsParagraphs(filepath.Join(r.shared, "data/crows-pairs", c.file))
		if err != nil {
			return err
		}
		sources[c.name] = paras
		order = append(order, c.name)
	}
	docs, err := repoDocs()
	if err != nil {
		return err
	}
	sources["this repository's Markdown"] = docs
	order = append(order, "this repository's Markdown")
	for _, v := range vocabularies {
		tok, err := loadTokenizer(filepath.Join(r.shared, v.file))
		if err != nil {
			return err
		}
		for _, src := range order {
			row := humanRow{source: src, tokenizer: v.name}
			for _, p := range sources[src] {
				rep, err := watermark.Detect(key, tok, []string{p})
				if err != nil {
					return err
				}
				if s := rep.Whole; s.Verdict != watermark.VerdictTooShort {
					row.paras.add(s)
				}
			}
			r.human = append(r.human, row)
		}
	}
	return nil
}

func loadTokenizer(path string) (*tokenizer.Tokenizer, error) {
	g, err := gguf.Open(path)
	if err != nil {
		return nil, err
	}
	defer g.Close()
	return tokenizer.FromGGUF(g)
}

// crowsParagraphs joins the sent_more sentences, then the sent_less ones,
// sentencesPerParagraph at a time, in file order.
func crowsParagraphs(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var more, less []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for first := true; sc.Scan(); first = false {
		cols := strings.Split(sc.Text(), "\t")
		if first || len(cols) < 3 {
			continue
		}
		more, less = append(more, strings.TrimSpace(cols[1])), append(less, strings.TrimSpace(cols[2]))
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	var out []string
	for _, col := range [][]string{more, less} {
		for i := 0; i < len(col); i += sentencesPerParagraph {
			out = append(out, strings.Join(col[i:min(i+sentencesPerParagraph, len(col))], " "))
		}
	}
	return out, nil
}

// repoDocs returns the paragraphs of the repository's Markdown files except
// this report (which holds generated text).
func repoDocs() ([]string, error) {
	var out []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && path != "." || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".md") || path == filepath.Join("docs", "WATERMARK.md") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		paras, err := watermark.Paragraphs(b, watermark.FormatMarkdown)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, paras...)
		return nil
	})
	return out, err
}

// ---- generated text ----

// text is a generated text: its tokens' texts, by paragraph.
type text struct {
	pieces  []string // one per generated token
	paraEnd []int    // token index where each paragraph ends
	logprob []float32
}

// prefix is the first n tokens as paragraphs.
func (t text) prefix(n int) []string {
	var out []string
	start := 0
	for _, end := range t.paraEnd {
		end = min(end, n)
		if end > start {
			out = append(out, strings.TrimSpace(strings.Join(t.pieces[start:end], "")))
		}
		start = end
		if end >= n {
			break
		}
	}
	return out
}

func generateAll(m *engine.Model, key *watermark.Key) (marked, plain []text, err error) {
	g := m.Generator()
	for i := range samples {
		for _, wm := range []bool{true, false} {
			var w sample.Watermark
			if wm {
				w = key
			}
			t, err := generate(g, i, w)
			if err != nil {
				return nil, nil, err
			}
			if wm {
				marked = append(marked, t)
			} else {
				plain = append(plain, t)
			}
		}
	}
	return marked, plain, nil
}

// generate writes paragraphs (stories: the model ends them with EOS) until
// maxLen tokens, with the default sampling settings and seeds from i.
func generate(g llm.Generator, i int, w sample.Watermark) (text, error) {
	var t text
	for k := 0; len(t.pieces) < maxLen; k++ {
		p := sample.DefaultParams()
		p.Seed = uint64(i)<<16 | uint64(k)
		res, err := g.Generate(context.Background(), llm.Request{Prompt: prompts[(i+k)%len(prompts)],
			MaxTokens: maxLen - len(t.pieces), Sampling: p, Watermark: w}, nil)
		if err != nil {
			return t, err
		}
		for _, tk := range res.Tokens {
			if tk.Text == "" {
				continue // EOS
			}
			t.pieces = append(t.pieces, tk.Text)
			t.logprob = append(t.logprob, tk.Logprob)
		}
		t.paraEnd = append(t.paraEnd, len(t.pieces))
	}
	return t, nil
}

// wordPool is the words of the English CrowS-Pairs sentences: the
// replacement words of the edit attack are real, human-chosen words.
func wordPool(shared string) []string {
	paras, err := crowsParagraphs(filepath.Join(shared, "data/crows-pairs/crows_pairs_EN_revised+210.csv"))
	if err != nil {
		log.Fatal(err)
	}
	var words []string
	for _, p := range paras {
		words = append(words, strings.Fields(p)...)
	}
	return words
}

// replaceWords replaces frac of the words of each paragraph, at random
// positions, by random words of pool.
func replaceWords(paras []string, frac float64, pool []string, rng *rand.Rand) []string {
	out := make([]string, len(paras))
	for i, p := range paras {
		words := strings.Fields(p)
		for _, j := range rng.Perm(len(words))[:int(math.Round(frac*float64(len(words))))] {
			words[j] = pool[rng.IntN(len(pool))]
		}
		out[i] = strings.Join(words, " ")
	}
	return out
}

type lenRow struct {
	tokens            int
	detected, plainFP tally
}

type editRow struct {
	tokens   int
	frac     float64
	detected tally
}

type qualityRow struct {
	markedLL, plainLL float64 // mean log-likelihood per token
	tokens            int
}

func quality(marked, plain []text) qualityRow {
	mean := func(ts []text) (float64, int) {
		var s float64
		n := 0
		for _, t := range ts {
			for _, l := range t.logprob {
				s += float64(l)
				n++
			}
		}
		return s / float64(n), n
	}
	q := qualityRow{}
	q.markedLL, q.tokens = mean(marked)
	q.plainLL, _ = mean(plain)
	return q
}
