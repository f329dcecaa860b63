package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/plumewriter/plume/internal/audit"
	"github.com/plumewriter/plume/internal/config"
	"github.com/plumewriter/plume/internal/engine"
	"github.com/plumewriter/plume/internal/hub"
	"github.com/plumewriter/plume/internal/writer"
)

// crowsPairsFiles are the CrowS-Pairs files by language, looked for in
// $PLUME_HOME/crows-pairs/ and ../shared/data/crows-pairs/ when --data is
// not given.
var crowsPairsFiles = map[string]string{
	"en": "crows_pairs_EN_revised+210.csv",
	"fr": "crows_pairs_FR_languagearc_contribution+210.csv",
}

func newAuditCmd(d *deps) *cobra.Command {
	return groupCmd("audit", "Audit a model (plume audit bias)", "audit", "bias", newAuditBiasCmd(d))
}

type auditFlags struct {
	model, lang, data string
	threads           int
	asJSON            bool
}

func newAuditBiasCmd(d *deps) *cobra.Command {
	f := &auditFlags{}
	cmd := &cobra.Command{
		Use:   "bias [--model REF] [--lang fr|en] [--data FILE]",
		Short: "Score a model's social bias on CrowS-Pairs and store its bias card",
		Long: `Score the model on CrowS-Pairs (French, or the revised English set; 1,677 pairs
each, CC BY-SA 4.0) with lm-evaluation-harness's causal-LM metric: each sentence's
whole log-likelihood, pct_stereotype (share of pairs where the more stereotypical
sentence is the more likely; 50% is unbiased) and likelihood_diff, overall and per
bias type, with seeded bootstrap 95% intervals. The result is a bias card stored in
the library under the model's sha256: plume show MODEL prints it, and articles
written with the model link it. Interrupt with Ctrl-C and run the same command
again to continue. --data takes any file in the CrowS-Pairs format (tab-separated:
id, sent_more, sent_less, stereo_antistereo, bias_type, with that header line).`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return runAuditBias(cmd, d, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.model, "model", "", "model reference (default: $"+config.EnvModel+", else "+hub.DefaultModel()+")")
	fl.StringVar(&f.lang, "lang", "en", "CrowS-Pairs language: en or fr")
	fl.StringVar(&f.data, "data", "", "pairs file in the CrowS-Pairs format (default: the CrowS-Pairs file of --lang)")
	fl.IntVar(&f.threads, "threads", 0, "engine threads (0 = $"+config.EnvThreads+", else one per physical core)")
	fl.BoolVar(&f.asJSON, "json", false, "print the card as JSON")
	return cmd
}

// auditData finds the pairs file: --data, else the CrowS-Pairs file of lang.
func auditData(f *auditFlags) (path, name string, err error) {
	file, ok := crowsPairsFiles[f.lang]
	if !ok {
		return "", "", usageError{fmt.Errorf("--lang %q: want en or fr", f.lang)}
	}
	if f.data != "" {
		return f.data, "custom pairs (" + filepath.Base(f.data) + ")", nil
	}
	name = "CrowS-Pairs " + map[string]string{"en": "English (revised)", "fr": "French"}[f.lang]
	for _, dir := range []string{filepath.Join(config.Load().DataDir, "crows-pairs"), filepath.Join("..", "shared", "data", "crows-pairs")} {
		p := filepath.Join(dir, file)
		if _, err := os.Stat(p); err == nil {
			return p, name, nil
		}
	}
	return "", "", usageError{fmt.Errorf("%s not found in $%s/crows-pairs/ or ../shared/data/crows-pairs/: "+
		"get it from the French CrowS-Pairs release (Inria GitLab french-crows-pairs/acl-2022-paper-data-and-code, CC BY-SA 4.0) "+
		"or pass --data FILE", file, config.EnvHome)}
}

func runAuditBias(cmd *cobra.Command, d *deps, f *auditFlags) error {
	path, name, err := auditData(f)
	if err != nil {
		return err
	}
	fh, err := os.Open(path)
	if err != nil {
		return usageError{fmt.Errorf("--data: %w", err)}
	}
	ds, err := audit.Parse(fh)
	fh.Close()
	if err != nil {
		return usageError{fmt.Errorf("%s: %w", path, err)}
	}
	m, err := openAuditModel(cmd.Context(), f, cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	defer m.Close()
	info := m.Info()
	lib, err := d.libraryPath()
	if err != nil {
		return err
	}
	dsInfo := audit.CardDataset{Name: name, File: filepath.Base(path), SHA256: ds.SHA256, Pairs: len(ds.Pairs), Skipped: ds.Skipped}
	if f.data == "" {
		dsInfo.Lang, dsInfo.License = f.lang, "CC BY-SA 4.0"
	}
	dir := audit.CardDir(filepath.Dir(lib), info.SHA256)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	cardPath := filepath.Join(dir, audit.CardName(dsInfo))
	scorer, err := audit.NewEngineScorer(m)
	if err != nil {
		return err
	}
	bar := progressbar.NewOptions(len(ds.Pairs), progressbar.OptionSetWriter(cmd.ErrOrStderr()),
		progressbar.OptionSetDescription("bias audit"), progressbar.OptionShowCount(), progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionClearOnFinish())
	r := &audit.Runner{Scorer: scorer, Checkpoint: cardPath + ".partial", ModelSHA256: info.SHA256,
		Progress: func(done, _ int) { _ = bar.Set(done) }}
	scored, err := r.Run(cmd.Context(), ds)
	if err != nil {
		if errors.Is(err, context.Canceled) || cmd.Context().Err() != nil {
			return interruptedError{msg: "bias audit interrupted; the pairs scored are kept: run the same command again to continue", err: err}
		}
		return err
	}
	_ = bar.Finish()
	card := audit.NewCard(audit.CardModel{Ref: publicModelRefOf(info.Ref, info.Path), SHA256: info.SHA256,
		Architecture: info.Architecture, Engine: info.EngineVersion, Threads: m.Threads()},
		dsInfo, scored, "plume "+version, d.now().UTC().Format(time.RFC3339))
	b, err := card.Marshal()
	if err != nil {
		return err
	}
	if err := writer.WriteFileAtomic(cardPath, b); err != nil {
		return err
	}
	_ = os.Remove(cardPath + ".partial")
	if f.asJSON {
		_, err = cmd.OutOrStdout().Write(b)
		return err
	}
	card.Print(cmd.OutOrStdout())
	_, err = fmt.Fprintf(cmd.OutOrStdout(), "stored: %s\n", cardPath)
	return err
}

// publicModelRefOf names a local file by its base name (a card may be
// published), a hub reference as is.
func publicModelRefOf(ref, path string) string {
	if path != "" && ref == path || filepath.IsAbs(ref) {
		return filepath.Base(ref)
	}
	return ref
}

func openAuditModel(ctx context.Context, f *auditFlags, progress io.Writer) (*engine.Model, error) {
	conf := configFrom(ctx, progress)
	ref := cmp.Or(f.model, conf.Model, hub.DefaultModel())
	loc, err := resolveModel(ctx, ref, progress)
	if err != nil {
		return nil, refError(fmt.Errorf("model %s: %w", ref, err))
	}
	return loadModel(loc, engine.Options{Threads: cmp.Or(f.threads, conf.Threads)})
}

// printBiasCards prints the bias cards stored for a model, or how to make
// one.
func (d *deps) printBiasCards(out, errw io.Writer, sha string) {
	dir, err := d.libraryDir()
	if err != nil {
		return
	}
	cards, _, err := audit.LoadCards(dir, sha)
	if err != nil {
		fmt.Fprintln(errw, "plume: warning:", err)
		return
	}
	if len(cards) == 0 {
		fmt.Fprintln(out, "Bias card\n  none: run plume audit bias --model MODEL")
		return
	}
	for _, c := range cards {
		c.Print(out)
	}
}

// biasCardLinks returns the links, for an article's manifest, to the bias cards of the
// model that wrote it.
func (d *deps) biasCardLinks(sha string, errw io.Writer) []writer.BiasCardLink {
	dir, err := d.libraryDir()
	if err != nil || sha == "" {
		return nil
	}
	cards, paths, err := audit.LoadCards(dir, sha)
	if err != nil {
		fmt.Fprintln(errw, "plume: warning:", err)
		return nil
	}
	var links []writer.BiasCardLink
	for i, c := range cards {
		rel, err := filepath.Rel(dir, paths[i])
		if err != nil {
			continue
		}
		links = append(links, writer.BiasCardLink{Dataset: c.Dataset.Name,
			DatasetSHA256: c.Dataset.SHA256, PctStereotype: c.Overall.PctStereotype.Value,
			LikelihoodDiff: c.Overall.LikelihoodDiff.Value, Card: filepath.ToSlash(rel)})
	}
	return links
}
