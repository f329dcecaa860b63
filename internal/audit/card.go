package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// CardFormat identifies the bias card layout.
const CardFormat = "plume-bias-card/1"

// Limits is what every card says about the data, in words (PROVENANCE.md of
// the CrowS-Pairs files asks for it in every report).
const Limits = "CrowS-Pairs is a noisy instrument: Blodgett et al. (2021, \"Stereotyping Norwegian Salmon\") " +
	"found significant noise and reliability issues in its pairs, enough that it may not be a good indicator of " +
	"the presence of social biases. It covers US-centred stereotypes (the French set adapts and extends them), " +
	"nine bias types (ten in French, with \"autre\"), and one sentence at a time, not what a model writes at length. Read these scores as an " +
	"indication to compare models on the same data, not as a certificate; 50% pct_stereotype is the unbiased ideal."

// Metric describes how the card's figures are computed.
const MetricText = "lm-evaluation-harness crows_pairs causal-LM metric: whole-sentence log-likelihood (teacher-forced, " +
	"from BOS); pct_stereotype = share of pairs where sent_more is more likely than sent_less; likelihood_diff = mean " +
	"|ll(sent_more) - ll(sent_less)| in nats; 95% percentile bootstrap intervals"

// Card is the result of a bias audit of one model on one dataset.
type Card struct {
	Format  string      `json:"format"`
	Model   CardModel   `json:"model"`
	Dataset CardDataset `json:"dataset"`
	Metric  string      `json:"metric"`
	Overall Result      `json:"overall"`
	// ByType is per bias_type, keyed by name.
	ByType           map[string]Result `json:"by_bias_type"`
	BootstrapSamples int               `json:"bootstrap_samples"`
	BootstrapSeed    uint64            `json:"bootstrap_seed"`
	Limits           string            `json:"limits"`
	Generator        string            `json:"generator"`
	Date             string            `json:"date"`
}

// CardModel identifies the audited model.
type CardModel struct {
	Ref          string `json:"ref"`
	SHA256       string `json:"sha256"`
	Architecture string `json:"architecture,omitempty"`
	// Engine and Threads say how the scores were computed: on another
	// thread count the batched forward pass may round a few logits
	// differently in the last bit, moving likelihood_diff by ~1e-6.
	Engine  string `json:"engine,omitempty"`
	Threads int    `json:"threads,omitempty"`
}

// CardDataset identifies the pairs.
type CardDataset struct {
	Name   string `json:"name"`
	Lang   string `json:"lang,omitempty"`
	File   string `json:"file"` // base name
	SHA256 string `json:"sha256"`
	Pairs  int    `json:"pairs"`
	// Skipped are the ids of pairs left out (one sentence empty).
	Skipped []string `json:"skipped,omitempty"`
	// License applies to the CrowS-Pairs files; a user's own file has its own.
	License string `json:"license,omitempty"`
}

// NewCard computes a card from the scored pairs.
func NewCard(model CardModel, ds CardDataset, scored []Scored, generator, date string) *Card {
	return &Card{Format: CardFormat, Model: model, Dataset: ds, Metric: MetricText,
		Overall: Compute(scored, BootstrapSeed), ByType: ByType(scored, BootstrapSeed),
		BootstrapSamples: BootstrapSamples, BootstrapSeed: BootstrapSeed, Limits: Limits,
		Generator: generator, Date: date}
}

// Marshal encodes the card as indented JSON.
func (c *Card) Marshal() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(c); err != nil {
		return nil, fmt.Errorf("bias card: %w", err)
	}
	return b.Bytes(), nil
}

// Print writes the card for a person.
func (c *Card) Print(w io.Writer) {
	pct := func(m Metric) string {
		return fmt.Sprintf("%5.1f%% [%5.1f, %5.1f]", 100*m.Value, 100*m.Low, 100*m.High)
	}
	fmt.Fprintf(w, "Bias card: %s on %s (%s, %d pairs, sha256 %.12s…), %s\n", c.Model.Ref, c.Dataset.Name, c.Dataset.File,
		c.Dataset.Pairs, c.Dataset.SHA256, c.Date)
	fmt.Fprintf(w, "  %-22s %-27s %s\n", "", "pct_stereotype [95% CI]", "likelihood_diff [95% CI]")
	row := func(name string, r Result) {
		fmt.Fprintf(w, "  %-22s %s  %.3f [%.3f, %.3f]  (%d pairs)\n", name, pct(r.PctStereotype),
			r.LikelihoodDiff.Value, r.LikelihoodDiff.Low, r.LikelihoodDiff.High, r.Pairs)
	}
	row("overall", c.Overall)
	types := make([]string, 0, len(c.ByType))
	for k := range c.ByType {
		types = append(types, k)
	}
	slices.Sort(types)
	for _, k := range types {
		row(k, c.ByType[k])
	}
	if len(c.Dataset.Skipped) > 0 {
		fmt.Fprintf(w, "  Skipped (a sentence is empty): %s\n", strings.Join(c.Dataset.Skipped, ", "))
	}
	fmt.Fprintf(w, "  Metric: %s.\n  Limits: %s\n", c.Metric, c.Limits)
}

// CardDir is the directory of a model's cards inside the library directory.
func CardDir(libDir, modelSHA256 string) string { return filepath.Join(libDir, "bias", modelSHA256) }

var shaRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// CardName is the file name of the card of a dataset: its name and the
// start of its sha256, so that an edited file gets its own card.
func CardName(ds CardDataset) string {
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '-'
	}, strings.ToLower(ds.Name))
	return fmt.Sprintf("%s-%.12s.json", name, ds.SHA256)
}

// LoadCards reads the cards stored for a model (none is not an error).
func LoadCards(libDir, modelSHA256 string) ([]*Card, []string, error) {
	if !shaRE.MatchString(modelSHA256) {
		return nil, nil, nil
	}
	dir := CardDir(libDir, modelSHA256)
	matches, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, nil, err
	}
	slices.Sort(matches)
	var cards []*Card
	var paths []string
	for _, p := range matches {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, nil, fmt.Errorf("bias card: %w", err)
		}
		var c Card
		if err := json.Unmarshal(b, &c); err != nil || c.Format != CardFormat {
			return nil, nil, fmt.Errorf("bias card %s: not a %s file", p, CardFormat)
		}
		cards = append(cards, &c)
		paths = append(paths, p)
	}
	return cards, paths, nil
}
