package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/plumewriter/plume/internal/gguf"
	"github.com/plumewriter/plume/internal/tokenizer"
	"github.com/plumewriter/plume/internal/watermark"
	"github.com/plumewriter/plume/internal/writer"
)

// verifyFlags are the flags of plume verify.
type verifyFlags struct {
	model, manifest, keyFile, format string
	asJSON                           bool
}

// verifyOutput is plume verify --json.
type verifyOutput struct {
	File     string `json:"file"`
	Format   string `json:"format"`
	Model    string `json:"model"`
	Manifest string `json:"manifest,omitempty"`
	// Recorded is the manifest's watermark record, when there is one.
	Recorded *writer.WatermarkRecord `json:"recorded,omitempty"`
	*watermark.Report
}

func newVerifyCmd() *cobra.Command {
	f := &verifyFlags{}
	cmd := &cobra.Command{
		Use:   "verify FILE|-",
		Short: "Test a text for Plume's statistical watermark",
		Long: `Test an article (Markdown, HTML or plain text; - reads standard input) for the
statistical watermark Plume's local engine embeds (docs/WATERMARK.md). It prints a
z-score and a one-sided p-value for the whole text and for each paragraph, the
tokens scored, and a verdict: "watermarked" when z > 4, which text without the
watermark reaches with probability 3.2e-05 (the false-positive rate of one test).

The text is tokenized with the tokenizer of the model that wrote it: the model of
the article's manifest (ARTICLE.plume.json beside FILE, or --manifest), else
--model. The key is the public one published with Plume unless --watermark-key
names a private key file.`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error { return runVerify(cmd, f, args[0]) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.model, "model", "", "model whose tokenizer wrote the text (default: the manifest's)")
	fl.StringVar(&f.manifest, "manifest", "", "the article's manifest (default: FILE's name with .plume.json, if present)")
	fl.StringVar(&f.keyFile, "watermark-key", "", "private watermark key file (default: the public key)")
	fl.StringVar(&f.format, "format", "auto", "input format: auto, markdown, html or text")
	fl.BoolVar(&f.asJSON, "json", false, "print JSON")
	return cmd
}

func runVerify(cmd *cobra.Command, f *verifyFlags, file string) error {
	var data []byte
	var err error
	if file == "-" {
		data, err = readInput(cmd.Context(), cmd.InOrStdin(), watermark.MaxTextBytes, cmd.ErrOrStderr(), "text")
	} else {
		data, err = readLimited(file, watermark.MaxTextBytes)
	}
	if err != nil {
		return err
	}
	format := f.format
	switch format {
	case "auto":
		format = watermark.SniffFormat(data)
	case watermark.FormatMarkdown, watermark.FormatHTML, watermark.FormatText:
	default:
		return usageError{fmt.Errorf("--format %q: want auto, markdown, html or text", f.format)}
	}
	paras, err := watermark.Paragraphs(data, format)
	if err != nil {
		return usageError{err}
	}
	key := watermark.DefaultKey()
	if f.keyFile != "" {
		if key, err = watermark.LoadKey(f.keyFile); err != nil {
			return usageError{err}
		}
	}
	out := verifyOutput{File: file, Format: format}
	man, manPath, err := verifyManifest(f, file)
	if err != nil {
		return err
	}
	if man != nil {
		out.Manifest, out.Recorded = manPath, man.Watermark
	}
	modelPath, err := verifyModel(cmd, f, man, manPath)
	if err != nil {
		return err
	}
	out.Model = filepath.Base(modelPath)
	tok, err := loadTokenizer(modelPath)
	if err != nil {
		return err
	}
	if out.Report, err = watermark.Detect(key, tok, paras); err != nil {
		return err
	}
	if f.asJSON {
		enc := json.NewEncoder(cmd.OutOrStdout())
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	return printVerify(cmd.OutOrStdout(), out, key)
}

// readLimited reads a file of at most limit bytes.
func readLimited(path string, limit int64) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, usageError{err}
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if int64(len(b)) > limit {
		return nil, usageError{fmt.Errorf("%s is over the %d-byte limit", path, limit)}
	}
	return b, nil
}

// verifyManifest reads --manifest, else FILE's sibling manifest if there is
// one (nil without either).
func verifyManifest(f *verifyFlags, file string) (*writer.Manifest, string, error) {
	path := f.manifest
	if path == "" {
		if file == "-" {
			return nil, "", nil
		}
		path = strings.TrimSuffix(file, filepath.Ext(file)) + ".plume.json"
		if _, err := os.Stat(path); err != nil {
			return nil, "", nil
		}
	}
	b, err := readLimited(path, writer.MaxManifestBytes)
	if err != nil {
		return nil, "", err
	}
	m, err := writer.ParseManifest(b)
	if err != nil {
		return nil, "", usageError{fmt.Errorf("%s: %w", path, err)}
	}
	return m, path, nil
}

// verifyModel finds the file of the model that wrote the text: --model, else
// the manifest's (a local file beside the manifest or in the cache by
// sha256, or a hub reference).
func verifyModel(cmd *cobra.Command, f *verifyFlags, m *writer.Manifest, manPath string) (string, error) {
	ref := f.model
	if ref == "" && m == nil {
		return "", usageError{errors.New("no manifest beside the text: name the model that wrote it with --model")}
	}
	if ref == "" && isLocalModelRef(m.Model.Ref) {
		p, err := findReplayModel(m.Model, manPath, cachedModels)
		if err != nil {
			return "", usageError{fmt.Errorf("the manifest's model %s is not here: give it with --model", filepath.Base(m.Model.Ref))}
		}
		return p, nil
	}
	if ref == "" {
		ref = m.Model.Ref
	}
	loc, err := resolveModel(cmd.Context(), ref, cmd.ErrOrStderr())
	if err != nil {
		return "", fmt.Errorf("model %s: %w", ref, err)
	}
	return loc.Path, nil
}

// loadTokenizer reads the tokenizer of a GGUF model (or vocabulary) file.
func loadTokenizer(path string) (*tokenizer.Tokenizer, error) {
	g, err := gguf.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	defer g.Close()
	tok, err := tokenizer.FromGGUF(g)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return tok, nil
}

func printVerify(w io.Writer, o verifyOutput, key *watermark.Key) error {
	r := o.Report
	kind := "public key"
	if !key.IsDefault() {
		kind = "private key"
	}
	fmt.Fprintf(w, "%s: %s\n", o.File, r.Whole)
	fmt.Fprintf(w, "scheme %s, %s %s, tokenizer of %s; verdict \"watermarked\" at z > %g (false-positive rate %.2g)\n",
		r.Scheme, kind, r.KeyFingerprint, o.Model, r.Threshold, r.FalsePositiveRate)
	if rec := o.Recorded; rec != nil {
		if rec.Present {
			fmt.Fprintf(w, "manifest: watermarked with %s, key %s\n", rec.Scheme, rec.KeyFingerprint)
		} else {
			fmt.Fprintf(w, "manifest: no watermark (%s)\n", rec.Note)
		}
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "PARAGRAPH\tTOKENS\tSCORED\tGREEN\tZ\tP\tVERDICT\t  START")
	for _, p := range r.Paragraphs {
		fmt.Fprintf(tw, "%d\t%d\t%d\t%d\t%.2f\t%.2g\t%s\t  %s\n", p.Index, p.Tokens, p.Scored, p.Green, p.Z, p.P, p.Verdict,
			strings.ReplaceAll(p.Start, "\n", " "))
	}
	return tw.Flush()
}
