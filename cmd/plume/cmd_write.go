package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/plumewriter/plume/internal/config"
	"github.com/plumewriter/plume/internal/hub"
	"github.com/plumewriter/plume/internal/library"
	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/sample"
	"github.com/plumewriter/plume/internal/writer"
)

// writeFlags are the flags of plume write.
type writeFlags struct {
	lang, audience, tone, model, out, format, notes string
	words                                           int
	keywords                                        []string
	outlineOnly, jsonEvents                         bool
	seed                                            string
	temperature, topP                               float32
	topK                                            int
	revise                                          int
	backend                                         backendConfig
	replay                                          string
	resume                                          int64
	author, aiNotice                                string
	draft, noDraft                                  bool
	wm                                              watermarkFlags
	sources                                         sourceFlags
	cpuProfile                                      string
}

func newWriteCmd(d *deps) *cobra.Command {
	f := &writeFlags{}
	cmd := &cobra.Command{
		Use:   `write "TOPIC"`,
		Short: "Write a blog article on a topic",
		Long:  writeLong,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageError{fmt.Errorf("write takes one topic, got %d arguments: quote it, e.g. plume write %q (see plume write --help)",
					len(args), strings.Join(args, " "))}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			var id int64
			err := runWriteCmd(cmd, d, f, args, &id)
			if err != nil && f.jsonEvents {
				finalEvent(cmd.Context(), cmd.OutOrStdout(), id, err)
			}
			return err
		},
	}
	f.register(cmd.Flags())
	return cmd
}

// writeLong is plume write's help text.
const writeLong = `Write a blog article: brief, outline, section-by-section drafting,
review and revision, SEO metadata. The article is saved as Markdown with YAML
front matter (or HTML/JSON with --format) beside a provenance manifest
ARTICLE.plume.json, and in the library (see plume articles).

Standard output carries the finished article and nothing else, in its
--format, so plume write "TOPIC" > post.md works; the drafting stream and
progress go to standard error when it is a terminal, and the quality report
goes there always. With --json, stdout carries NDJSON events instead.

Publishing: the front matter says draft: true unless --no-draft, because a
generated article should be read by a person before Hugo or Jekyll publish
it. A visible notice in the article's language, saying that AI wrote it,
ends the Markdown and the HTML body (--ai-notice off removes it; the
machine-readable digitalSourceType marks stay). --author (or $PLUME_AUTHOR)
goes into the front matter and the JSON-LD. When SLUG.md is taken by another
article, the new one is SLUG-2 in its file name, front matter slug, HTML
canonical link and JSON-LD url alike.

  plume write --replay ARTICLE.plume.json   regenerate and check byte identity
  plume write --resume ID                    continue an unfinished article

--resume continues with everything the first run was given: its --out
directory, --format, backend, model and every article option; a flag that
contradicts them is refused (--threads and --ctx may change).

The manifest names a local model file by its base name and sha256, never by
its directory; --replay looks for it in the current directory, beside the
manifest and in the model cache, or takes it from --model PATH.

While a run writes an article, that article is locked: a second
plume write --resume of it fails, naming the process that holds it. The lock
dies with its process, so a killed run can always be resumed (plume articles
list shows it as interrupted). With --json, a run that fails or is
interrupted ends stdout with an event
{"event":"error"|"interrupted","article_id":N,"message":…,"resume":…}.

The same --seed, model and inputs give the same article on any thread count;
set SOURCE_DATE_EPOCH to fix its date too. Then the article file (SLUG.md,
.html or .json) is byte-identical, and so is the manifest SLUG.plume.json
except its "run" section (timings, the model's file name, whether the run was
resumed), which --replay leaves out of its comparison.

Exit codes: 0 success, 1 any runtime failure (the article stays resumable),
2 usage error (bad flags or arguments), 130 interrupted.`

// register adds plume write's flags to fl, bound to f.
func (f *writeFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&f.lang, "lang", "", "article language: en or fr (default: detected from the topic, else en)")
	fl.StringVar(&f.audience, "audience", "", "who the article is for")
	fl.StringVar(&f.tone, "tone", writer.DefaultTone, "tone: "+strings.Join(writer.Tones, ", "))
	fl.IntVar(&f.words, "words", writer.DefaultWords, fmt.Sprintf("target length in words (%d–%d)", writer.MinWords, writer.MaxWords))
	fl.StringSliceVar(&f.keywords, "keywords", nil, "SEO keywords, comma-separated")
	fl.BoolVar(&f.outlineOnly, "outline-only", false, "stop after the outline and print it")
	fl.StringVar(&f.model, "model", "", "model reference: .gguf path, hf.co/ORG/REPO[:QUANT], ORG/REPO/FILE.gguf or alias (default: $"+config.EnvModel+", else "+hub.DefaultModel()+")")
	fl.Var(seedFlag{&f.seed}, "seed", fmt.Sprintf(seedHelp, "in the manifest"))
	fl.Float32Var(&f.temperature, "temperature", sample.DefaultParams().Temperature, "sampling temperature (0 = greedy)")
	fl.IntVar(&f.topK, "top-k", sample.DefaultParams().TopK, "top-k sampling (0 = off)")
	fl.Float32Var(&f.topP, "top-p", sample.DefaultParams().TopP, "top-p sampling (1 = off)")
	fl.IntVar(&f.revise, "revise", writer.DefaultRevisePasses, fmt.Sprintf("review/revise passes per section (0–%d)", writer.MaxRevisePasses))
	fl.StringVar(&f.out, "out", ".", "output directory")
	fl.StringVar(&f.format, "format", "md", "output format: md, html or json")
	fl.StringVar(&f.notes, "notes", "", "file with your notes or key points, which the article must use")
	fl.BoolVar(&f.jsonEvents, "json", false, "print progress as NDJSON events on stdout (instead of the article)")
	fl.BoolVar(&f.draft, "draft", writer.DefaultDraft, "mark the article draft: true in its front matter (the default: a person should read it before Hugo or Jekyll publish it)")
	fl.BoolVar(&f.noDraft, "no-draft", false, "mark the article draft: false, ready to publish")
	fl.StringVar(&f.aiNotice, "ai-notice", "on", "on or off: a visible notice in the article's language, at the end of the Markdown and in the HTML, that AI wrote it (the machine-readable marks stay either way)")
	fl.StringVar(&f.author, "author", "", "author name for the front matter and the JSON-LD (default: $"+config.EnvAuthor+")")
	fl.StringVar(&f.backend.Backend, "backend", backendLocal, "generator: plume (local engine) or openai (OpenAI-compatible server)")
	fl.StringVar(&f.backend.BaseURL, "base-url", "", "server URL for --backend openai")
	fl.StringVar(&f.backend.APIKeyEnv, "api-key-env", "", "environment variable holding the API key for --backend openai")
	fl.IntVar(&f.backend.Threads, "threads", 0, "local engine threads (0 = $"+config.EnvThreads+", else one per physical core)")
	fl.IntVar(&f.backend.Context, "ctx", 0, "context length (0 = what the article's plan needs, within the model's window and this machine's memory)")
	fl.Var(offFlag{&f.backend.NoPromptCache}, "prompt-cache", "reuse the K/V of the prompt prefix earlier calls share (off: evaluate every prompt whole; the article is the same)")
	fl.StringVar(&f.replay, "replay", "", "regenerate the article of this manifest and report whether it matches")
	fl.Int64Var(&f.resume, "resume", 0, "continue the interrupted, failed or abandoned article with this library ID")
	fl.StringVar(&f.cpuProfile, "cpuprofile", "", "write a CPU profile (go tool pprof) of the run to this file, for finding the hot spots")
	f.wm.register(fl)
	f.sources.register(fl)
}

func runWriteCmd(cmd *cobra.Command, d *deps, f *writeFlags, args []string, id *int64) error {
	stop, err := startCPUProfile(f.cpuProfile)
	if err != nil {
		return err
	}
	defer stop()
	switch {
	case f.replay != "":
		return runReplay(cmd, d, f)
	case cmd.Flags().Changed("resume"):
		if f.resume <= 0 {
			return usageError{fmt.Errorf("--resume %d: want an article ID from plume articles list", f.resume)}
		}
		if len(args) > 0 {
			return usageError{errors.New("--resume takes no topic: the article continues with its own")}
		}
		return runWrite(cmd, d, f, "", id)
	}
	if len(args) != 1 {
		return usageError{errors.New(`write needs a topic: plume write "TOPIC"`)}
	}
	return runWrite(cmd, d, f, args[0], id)
}

// givenFlags names the flags set on the command line among those a
// resume compares or takes (writer.ResumeKeys, threads, ctx), as the
// writer spells them (--no-draft is "draft").
func givenFlags(cmd *cobra.Command) map[string]bool {
	given := map[string]bool{}
	for _, name := range append(slices.Clone(writer.ResumeKeys), "threads", "ctx", "prompt-cache", "no-draft") {
		if cmd.Flags().Changed(name) {
			given[strings.TrimPrefix(name, "no-")] = true
		}
	}
	return given
}

// options turns the flags into writer options (validated later by the
// writer, before any generation). A resumed run reads only the given ones,
// so a random seed is drawn only for a new article.
func (f *writeFlags) options(cmd *cobra.Command, topic string, given map[string]bool) (writer.Options, error) {
	o := writer.Options{Topic: topic, Lang: f.lang, Audience: f.audience, Tone: f.tone, Words: f.words,
		Keywords: f.keywords, OutlineOnly: f.outlineOnly, MaxRevise: f.revise, Sampling: sample.DefaultParams(),
		Author: cmp.Or(f.author, configFrom(cmd.Context(), nil).Author)}
	o.Sampling.Temperature, o.Sampling.TopK, o.Sampling.TopP = f.temperature, f.topK, f.topP
	if f.notes != "" {
		b, err := readNotes(f.notes)
		if err != nil {
			return o, usageError{err}
		}
		o.Notes = b
	}
	if given["draft"] {
		if cmd.Flags().Changed("draft") && cmd.Flags().Changed("no-draft") {
			return o, usageError{errors.New("--draft and --no-draft contradict each other")}
		}
		draft := f.draft && !f.noDraft
		o.Draft = &draft
	}
	if given["ai-notice"] {
		on, ok := map[string]bool{"on": true, "off": false}[f.aiNotice]
		if !ok {
			return o, usageError{fmt.Errorf("--ai-notice %q: want on or off", f.aiNotice)}
		}
		o.AINotice = &on
	}
	if f.resume != 0 && !given["seed"] {
		return o, nil
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

// asUsage marks the writer's input errors as usage errors (exit 2), and
// names the flag of an unusable output directory.
func asUsage(err error) error {
	switch {
	case errors.Is(err, writer.ErrOutputDir):
		return usageError{fmt.Errorf("--out: %w", err)}
	case errors.Is(err, writer.ErrNoArticle):
		return usageError{fmt.Errorf("--resume: %w (see plume articles list)", err)}
	case errors.Is(err, writer.ErrInput):
		return usageError{err}
	}
	return err
}

// runWrite writes a new article on topic, or resumes f.resume, through
// writer.Run; what stays here is the printing. Without --json, stdout gets
// the article itself (so plume write … > post.md works); the drafting
// stream and the progress lines go to stderr when it is a terminal.
func runWrite(cmd *cobra.Command, d *deps, f *writeFlags, topic string, id *int64) error {
	ctx := cmd.Context()
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	given := givenFlags(cmd)
	if (f.resume == 0 || given["format"]) && !slices.Contains(writer.Formats, f.format) {
		return usageError{fmt.Errorf("unknown --format %q (md, html or json)", f.format)}
	}
	opts, err := f.options(cmd, topic, given)
	if err != nil {
		return err
	}
	if f.resume == 0 { // a resumed article keeps the sources it was started with
		if err := f.sources.load(ctx, d, &opts); err != nil {
			return err
		}
	}
	live := liveTerminal(stderr)
	prog := newProgress(stdout, stderr, f.jsonEvents, live)
	backend := f.backend
	backend.Model = localModelPath(f.model)
	ro := writer.RunOptions{Article: opts, Resume: f.resume, Given: given, Out: f.out, Format: f.format,
		Backend: backend, OpenLibrary: d.openLibrary, Events: prog.event, Now: d.now, Version: version,
		Open: func(ctx context.Context, b writer.Backend) (llm.Generator, func(), error) {
			return d.openGenerator(ctx, b, stderr)
		}}
	if live && !f.jsonEvents {
		ro.Stream = stderr
	}
	if f.resume == 0 {
		if ro.Watermark, err = f.wm.newRunKey(backend.Backend); err != nil {
			return err
		}
	}
	ro.WatermarkKey = f.wm.recordedKey
	ro.BiasCards = func(sha string) []writer.BiasCardLink { return d.biasCardLinks(sha, stderr) }
	res, err := writer.Run(ctx, ro)
	*id = res.ID
	if err != nil {
		return runError(ctx, err)
	}
	if res.Status == library.StatusOutline {
		prog.finish(fmt.Sprintf("outline saved as article %d; continue with: plume write --resume %d", res.ID, res.ID))
	}
	if !f.jsonEvents {
		if _, err := stdout.Write(res.Output); err != nil {
			return fmt.Errorf("standard output: %w", err)
		}
	}
	if res.Status == library.StatusOutline {
		return nil
	}
	return prog.report(res.Article, res.ID, res.Revision, res.Files)
}

// localModelPath makes a --model that names an existing file absolute, so
// that the run's recorded model still opens when it is resumed from
// another directory.
func localModelPath(ref string) string {
	if fi, err := os.Stat(ref); err == nil && fi.Mode().IsRegular() {
		if abs, err := filepath.Abs(ref); err == nil {
			return abs
		}
	}
	return ref
}

// runError turns the error of writer.Run into the command's: an
// interrupted run says what was kept and how to continue; a failed one
// names the resume command; input errors are usage errors.
func runError(ctx context.Context, err error) error {
	var re *writer.RunError
	if !errors.As(err, &re) {
		return asUsage(err)
	}
	if re.Interrupted || interrupted(ctx, err) {
		msg := fmt.Sprintf("interrupted; finished sections are saved: plume write --resume %d", re.ID)
		if !errors.Is(err, context.Canceled) { // another failure, as Ctrl-C came
			msg += ": " + re.Err.Error()
		}
		return interruptedError{msg: msg, err: err}
	}
	if errors.Is(err, writer.ErrInput) {
		return usageError{err}
	}
	return fmt.Errorf("article %d (resume with plume write --resume %d): %w", re.ID, re.ID, re.Err)
}

// interrupted reports whether err ended the run because of a cancellation
// (Ctrl-C).
func interrupted(ctx context.Context, err error) bool {
	return ctx.Err() != nil || errors.Is(err, context.Canceled)
}
