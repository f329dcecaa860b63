package main

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/plumewriter/plume/internal/config"
	"github.com/plumewriter/plume/internal/engine"
	"github.com/plumewriter/plume/internal/hub"
	"github.com/plumewriter/plume/internal/sample"
	"github.com/plumewriter/plume/internal/store"
	"github.com/plumewriter/plume/internal/writer"
)

// nowFunc is the clock of article dates: SOURCE_DATE_EPOCH when set (for
// byte-identical reruns), else the wall clock; tests fix it.
var nowFunc = func() time.Time {
	if d := config.Load().SourceDate; !d.IsZero() {
		return d
	}
	return time.Now()
}

// writeFlags are the flags of plume write.
type writeFlags struct {
	lang, audience, tone, model, out, format, notes string
	words                                           int
	keywords                                        []string
	outlineOnly, jsonEvents                         bool
	seed                                            string
	temperature                                     float32
	revise                                          int
	backend                                         backendConfig
	replay                                          string
	resume                                          int64
	sources                                         sourceFlags
	// articleID is the library row once known, for the final --json event.
	articleID int64
}

func init() { rootCmd.AddCommand(newWriteCmd()) }

func newWriteCmd() *cobra.Command {
	f := &writeFlags{}
	cmd := &cobra.Command{
		Use:   `write "TOPIC"`,
		Short: "Write a blog article on a topic",
		Long: `Write a blog article: brief, outline, section-by-section drafting (streamed),
review and revision, SEO metadata. The article is saved as Markdown with YAML
front matter (or HTML/JSON with --format) beside a provenance manifest
ARTICLE.plume.json, and in the library (see plume articles).

  plume write --replay ARTICLE.plume.json   regenerate and check byte identity
  plume write --resume ID                    continue an interrupted or failed run

The manifest names a local model file by its base name and sha256, never by
its directory; --replay looks for it in the current directory, beside the
manifest and in the model cache, or takes it from --model PATH.

While a run writes an article, that article is locked: a second
plume write --resume of it fails, naming the process that holds it. The lock
dies with its process, so a killed run can always be resumed. With --json,
a run that fails or is interrupted ends stdout with an event
{"event":"error"|"interrupted","article_id":N,"message":…,"resume":…}.

The same --seed, model and inputs give the same article on any thread count;
set SOURCE_DATE_EPOCH to fix its date too (byte-identical files).`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageError{fmt.Errorf("write takes one topic, got %d arguments: quote it, e.g. plume write %q (see plume write --help)",
					len(args), strings.Join(args, " "))}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			err := runWriteCmd(cmd, f, args)
			if err != nil && f.jsonEvents {
				finalEvent(cmd.Context(), cmd.OutOrStdout(), f.articleID, err)
			}
			return err
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.lang, "lang", "", "article language: en or fr (default: detected from the topic, else en)")
	fl.StringVar(&f.audience, "audience", "", "who the article is for")
	fl.StringVar(&f.tone, "tone", writer.DefaultTone, "tone: "+strings.Join(writer.Tones, ", "))
	fl.IntVar(&f.words, "words", writer.DefaultWords, fmt.Sprintf("target length in words (%d–%d)", writer.MinWords, writer.MaxWords))
	fl.StringSliceVar(&f.keywords, "keywords", nil, "SEO keywords, comma-separated")
	fl.BoolVar(&f.outlineOnly, "outline-only", false, "stop after the outline and print it")
	fl.StringVar(&f.model, "model", "", "model reference: .gguf path, hf.co/ORG/REPO[:QUANT], ORG/REPO/FILE.gguf or alias (default: $"+config.EnvModel+", else "+hub.DefaultModel()+")")
	fl.StringVar(&f.seed, "seed", "", "sampling seed (default: random, recorded in the manifest)")
	fl.Float32Var(&f.temperature, "temperature", sample.DefaultParams().Temperature, "sampling temperature (0 = greedy)")
	fl.IntVar(&f.revise, "revise", writer.DefaultRevisePasses, fmt.Sprintf("review/revise passes per section (0–%d)", writer.MaxRevisePasses))
	fl.StringVar(&f.out, "out", ".", "output directory")
	fl.StringVar(&f.format, "format", "md", "output format: md, html or json")
	fl.StringVar(&f.notes, "notes", "", "file with your notes or key points, which the article must use")
	fl.BoolVar(&f.jsonEvents, "json", false, "print progress as NDJSON events on stdout")
	fl.StringVar(&f.backend.Backend, "backend", backendLocal, "generator: plume (local engine) or openai (OpenAI-compatible server)")
	fl.StringVar(&f.backend.BaseURL, "base-url", "", "server URL for --backend openai")
	fl.StringVar(&f.backend.APIKeyEnv, "api-key-env", "", "environment variable holding the API key for --backend openai")
	fl.IntVar(&f.backend.Threads, "threads", 0, "local engine threads (0 = $"+config.EnvThreads+", else one per physical core)")
	fl.IntVar(&f.backend.Context, "ctx", 0, "context length (0 = min(model's, "+strconv.Itoa(engine.DefaultContextLength)+"))")
	fl.StringVar(&f.replay, "replay", "", "regenerate the article of this manifest and report whether it matches")
	fl.Int64Var(&f.resume, "resume", 0, "continue the interrupted, failed or abandoned article with this library ID")
	f.sources.register(fl)
	return cmd
}

func runWriteCmd(cmd *cobra.Command, f *writeFlags, args []string) error {
	switch {
	case f.replay != "":
		return runReplay(cmd, f)
	case cmd.Flags().Changed("resume"):
		return runResume(cmd, f)
	}
	if len(args) != 1 {
		return usageError{errors.New(`write needs a topic: plume write "TOPIC"`)}
	}
	return runWrite(cmd, f, args[0])
}

// options turns the flags into writer options (validated later by the
// writer, before any generation).
func (f *writeFlags) options(topic string) (writer.Options, error) {
	switch f.format {
	case "md", "html", "json":
	default:
		return writer.Options{}, usageError{fmt.Errorf("unknown --format %q (md, html or json)", f.format)}
	}
	o := writer.Options{Topic: topic, Lang: f.lang, Audience: f.audience, Tone: f.tone, Words: f.words,
		Keywords: f.keywords, OutlineOnly: f.outlineOnly, MaxRevise: f.revise, Sampling: sample.DefaultParams()}
	o.Sampling.Temperature = f.temperature
	if f.notes != "" {
		b, err := readNotes(f.notes)
		if err != nil {
			return o, usageError{err}
		}
		o.Notes = b
	}
	seed, err := parseSeed(f.seed)
	if err != nil {
		return o, usageError{err}
	}
	o.Seed = seed
	return o, nil
}

func readNotes(path string) (string, error) {
	fh, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("--notes: %w", err)
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, writer.MaxNotesBytes+1))
	if err != nil {
		return "", fmt.Errorf("--notes %s: %w", path, err)
	}
	if len(b) > writer.MaxNotesBytes {
		return "", fmt.Errorf("--notes %s is over %d bytes", path, writer.MaxNotesBytes)
	}
	return string(b), nil
}

// parseSeed reads --seed; empty means a random seed (recorded in the
// manifest, so the run can still be replayed).
func parseSeed(s string) (uint64, error) {
	if s == "" {
		var b [8]byte
		if _, err := rand.Read(b[:]); err != nil {
			return 0, fmt.Errorf("random seed: %w", err)
		}
		return binary.LittleEndian.Uint64(b[:]), nil
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("--seed %q: want a non-negative integer", s)
	}
	return v, nil
}

// asUsage marks the writer's input errors as usage errors (exit 2).
func asUsage(err error) error {
	if errors.Is(err, writer.ErrInput) {
		return usageError{err}
	}
	return err
}

func runWrite(cmd *cobra.Command, f *writeFlags, topic string) error {
	opts, err := f.options(topic)
	if err != nil {
		return err
	}
	if err := f.sources.load(cmd.Context(), &opts); err != nil {
		return err
	}
	p := &writer.Pipeline{Now: nowFunc, Version: version}
	st, err := p.NewState(opts)
	if err != nil {
		return asUsage(err)
	}
	cfg := f.backend
	cfg.Model = f.model
	return generate(cmd, f, p, st, cfg, 0)
}

func runResume(cmd *cobra.Command, f *writeFlags) error {
	lib, err := openLibrary()
	if err != nil {
		return err
	}
	defer lib.Close()
	a, err := lib.Get(cmd.Context(), f.resume)
	if errors.Is(err, store.ErrNotFound) {
		return usageError{fmt.Errorf("--resume %d: no such article in the library (see plume articles list)", f.resume)}
	}
	if err != nil {
		return err
	}
	if a.Status == store.StatusDone {
		return usageError{fmt.Errorf("article %d is finished; nothing to resume", a.ID)}
	}
	f.articleID = a.ID
	// The lock decides between a live writer and a stale "running" row
	// (its process died: the kernel released its lock).
	lk, err := lib.LockArticle(a.ID)
	if err != nil {
		return err
	}
	defer lk.Unlock()
	// Read again under the lock: a writer that just finished may have
	// checkpointed or completed it meanwhile.
	if a, err = lib.Get(cmd.Context(), a.ID); err != nil {
		return err
	}
	if a.Status == store.StatusDone {
		return usageError{fmt.Errorf("article %d is finished; nothing to resume", a.ID)}
	}
	var st writer.State
	if err := json.Unmarshal(a.State, &st); err != nil {
		return fmt.Errorf("article %d: checkpoint: %w", a.ID, err)
	}
	st.Options.OutlineOnly = f.outlineOnly // an outline-only run continues to the full article
	cfg := f.backend
	if st.Model != nil && !cmd.Flags().Changed("backend") && !cmd.Flags().Changed("model") {
		cfg = backendFromInfo(st.Model.Backend, st.Model.Ref)
		cfg.Threads, cfg.Context, cfg.APIKeyEnv = f.backend.Threads, f.backend.Context, f.backend.APIKeyEnv
	} else {
		cfg.Model = f.model
	}
	p := &writer.Pipeline{Now: nowFunc, Version: version}
	return generate(cmd, f, p, &st, cfg, a.ID)
}

// generate opens the generator and the library, runs the pipeline with
// checkpoints, and writes the outputs. id is the library row to continue
// (0 = a new article), whose lock the caller holds.
func generate(cmd *cobra.Command, f *writeFlags, p *writer.Pipeline, st *writer.State, cfg backendConfig, id int64) (err error) {
	ctx := cmd.Context()
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	if !st.Options.OutlineOnly {
		if err := checkOutputs(f.out, f.format); err != nil {
			return err
		}
	}
	gen, closeGen, err := openGenerator(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer closeGen()
	p.Gen = gen
	if err := p.Preflight(st); err != nil {
		return err
	}
	lib, err := openLibrary()
	if err != nil {
		return err
	}
	defer lib.Close()
	if id == 0 {
		if id, err = createArticle(ctx, lib, st); err != nil {
			return err
		}
		lk, err := lib.LockArticle(id)
		if err != nil {
			return err
		}
		defer lk.Unlock()
	} else if err := lib.SetStatus(ctx, id, store.StatusRunning); err != nil {
		return err
	}
	f.articleID = id
	// Registered after the lock's Unlock, so it runs first: the status is
	// final before another process can take the article.
	defer func() {
		if err != nil {
			err = runFailed(ctx, lib, id, err)
		}
	}()
	p.Checkpoint = func(ctx context.Context, s *writer.State) error { return checkpoint(ctx, lib, id, s) }
	prog := newProgress(stdout, stderr, f.jsonEvents, id)
	p.Events = prog.event
	if !f.jsonEvents {
		p.Stream = stdout
	}
	art, err := p.Run(ctx, st)
	if err != nil {
		return err
	}
	if st.Options.OutlineOnly {
		prog.finish(fmt.Sprintf("outline saved as article %d; continue with: plume write --resume %d", id, id))
		_, err := io.WriteString(stdout, "\n"+art.Body)
		return err
	}
	return saveArticle(ctx, lib, f, prog, art, gen.Info().Ref, id)
}

// createArticle adds the library row of a new article.
func createArticle(ctx context.Context, lib *store.Store, st *writer.State) (int64, error) {
	initial, err := json.Marshal(st)
	if err != nil {
		return 0, fmt.Errorf("checkpoint: %w", err)
	}
	return lib.Create(ctx, st.Options.Topic, st.Options.Lang, initial)
}

// saveArticle writes the output files and the library revision, then
// reports.
func saveArticle(ctx context.Context, lib *store.Store, f *writeFlags, prog *progress, art *writer.Article, ref string, id int64) error {
	files, err := writeOutputs(f.out, f.format, art, ref)
	if err != nil {
		return fmt.Errorf("%w (the article is kept in the library; resume it with another --out DIR)", err)
	}
	manifest, err := art.Manifest.Marshal()
	if err != nil {
		return err
	}
	rev, err := lib.AddRevision(context.WithoutCancel(ctx), id, store.Revision{Title: art.Metadata.Title, Slug: art.Metadata.Slug,
		Markdown: string(art.Markdown), Manifest: string(manifest)})
	if err != nil {
		return err
	}
	return prog.report(art, id, rev, files)
}

// interrupted reports whether err ended the run because of a cancellation
// (Ctrl-C).
func interrupted(ctx context.Context, err error) bool {
	return ctx.Err() != nil || errors.Is(err, context.Canceled)
}

// runFailed records how the run of article id ended (interrupted or
// failed; both resumable) and says how to continue.
func runFailed(ctx context.Context, lib *store.Store, id int64, err error) error {
	cancelled := interrupted(ctx, err)
	ctx = context.WithoutCancel(ctx)
	if cancelled {
		_ = lib.SetStatus(ctx, id, store.StatusInterrupted)
		msg := fmt.Sprintf("interrupted; finished sections are saved: plume write --resume %d", id)
		if !errors.Is(err, context.Canceled) { // another failure, as Ctrl-C came
			msg += ": " + err.Error()
		}
		return interruptedError{msg: msg, err: err}
	}
	_ = lib.SetStatus(ctx, id, store.StatusFailed)
	if errors.Is(err, writer.ErrInput) {
		return usageError{err}
	}
	return fmt.Errorf("article %d (resume with plume write --resume %d): %w", id, id, err)
}

// checkpoint saves the writer state and its drafted sections.
func checkpoint(ctx context.Context, lib *store.Store, id int64, st *writer.State) error {
	b, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("encode state: %w", err) // the writer adds "checkpoint: "
	}
	var secs []store.Section
	for i, p := range st.Parts {
		if p.Drafted {
			secs = append(secs, store.Section{Index: i, Level: p.Level, Heading: p.Heading, Body: p.Text, Revisions: p.Revisions})
		}
	}
	title := ""
	if st.Outline != nil {
		title = st.Outline.Title
	}
	if st.Metadata != nil {
		title = st.Metadata.Title
	}
	return lib.Checkpoint(ctx, id, title, b, secs)
}

func openLibrary() (*store.Store, error) {
	path, err := libraryPath()
	if err != nil {
		return nil, err
	}
	return store.Open(path)
}
