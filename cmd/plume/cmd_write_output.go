package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/plumewriter/plume/internal/library"
	"github.com/plumewriter/plume/internal/termsafe"
	"github.com/plumewriter/plume/internal/writer"
)

// progress prints pipeline events: NDJSON on stdout with --json, otherwise
// one line per stage and part on stderr when it is a terminal (live);
// warnings and the final report go to stderr either way. stdout then
// carries only the article.
type progress struct {
	stdout, stderr io.Writer
	json, live     bool
	enc            *json.Encoder
	last           writer.Event // last token event, for speed and ETA
}

func newProgress(stdout, stderr io.Writer, jsonEvents, live bool) *progress {
	return &progress{stdout: stdout, stderr: stderr, json: jsonEvents, live: live, enc: json.NewEncoder(stdout)}
}

// liveTerminal reports whether w is a terminal: isTerminal, or a writer
// that says it is one (tests of the live output).
func liveTerminal(w io.Writer) bool {
	if t, ok := w.(interface{ IsTerminal() bool }); ok {
		return t.IsTerminal()
	}
	return isTerminal(w)
}

func (p *progress) event(e writer.Event) {
	if p.json {
		_ = p.enc.Encode(e)
		return
	}
	switch {
	case e.Type == writer.EventWarning:
		fmt.Fprintf(p.stderr, "warning: %s\n", termsafe.Text(e.Message))
	case !p.live:
	case e.Type == writer.EventToken:
		p.last = e
	case e.Type == writer.EventStage:
		if e.Part > 0 {
			fmt.Fprintf(p.stderr, "[%s %d/%d] %s\n", e.Stage, e.Part, e.Parts, termsafe.String(e.Heading))
		} else {
			fmt.Fprintf(p.stderr, "[%s]\n", e.Stage)
		}
	case e.Type == writer.EventCall:
		fmt.Fprintln(p.stderr, callLine(e))
	case e.Type == writer.EventPart:
		fmt.Fprintf(p.stderr, "[%s %d/%d] done · %.1f tok/s · ETA %s\n", e.Stage, e.Part, e.Parts,
			p.last.TokensPerSec, (time.Duration(p.last.ETASeconds) * time.Second).String())
	}
}

// callLine reports a finished model call: the prompt tokens sent and, when
// the backend says, how many it evaluated (the rest came from its prompt
// cache), then the tokens generated.
func callLine(e writer.Event) string {
	where := e.Stage
	if e.Part > 0 {
		where = fmt.Sprintf("%s %d/%d", e.Stage, e.Part, e.Parts)
	}
	prompt := fmt.Sprintf("prompt %d tokens", e.PromptTokens)
	if e.PromptEvaluated > 0 {
		prompt += fmt.Sprintf(", %d evaluated, %d from cache", e.PromptEvaluated, e.PromptTokens-e.PromptEvaluated)
	}
	return fmt.Sprintf("[%s] %s · %d generated", where, prompt, e.Tokens)
}

func (p *progress) finish(msg string) {
	if p.json {
		_ = p.enc.Encode(writer.Event{Type: writer.EventDone, Message: msg})
		return
	}
	fmt.Fprintln(p.stderr, msg)
}

// report prints the quality report and where things were saved.
func (p *progress) report(art *writer.Article, id int64, rev int, files []string) error {
	if p.json {
		return p.enc.Encode(struct {
			Type    string   `json:"type"`
			ID      int64    `json:"id"`
			Rev     int      `json:"revision"`
			Files   []string `json:"files"`
			Quality any      `json:"quality"`
		}{"report", id, rev, files, art.Quality})
	}
	w := p.stderr
	q := art.Quality
	fmt.Fprintf(w, "\nQuality report (%s)\n", q.Lang)
	fmt.Fprintf(w, "  readability: %s %.2f (%d words, %d sentences, %d syllables)\n",
		q.Readability.Formula, q.Readability.Score, q.Readability.Words, q.Readability.Sentences, q.Readability.Syllables)
	fmt.Fprintf(w, "  sentence length: mean %.1f, median %d, p90 %d, max %d words\n",
		q.SentenceLengths.Mean, q.SentenceLengths.Median, q.SentenceLengths.P90, q.SentenceLengths.Max)
	fmt.Fprintf(w, "  paragraph length: mean %.1f, median %d, max %d words\n",
		q.ParagraphLengths.Mean, q.ParagraphLengths.Median, q.ParagraphLengths.Max)
	for _, r := range q.Rules {
		mark := "ok  "
		if !r.Pass {
			mark = "FAIL"
		}
		fmt.Fprintf(w, "  %s %-17s %s\n", mark, r.ID, r.Message)
		for _, where := range r.Where {
			fmt.Fprintf(w, "         - %s\n", where)
		}
	}
	printCitations(w, q.Citations)
	fmt.Fprintf(w, "\nSaved article %d (revision %d): %s\n", id, rev, strings.Join(files, ", "))
	return nil
}

// errReplayMismatch is returned when a replay does not reproduce its manifest.
var errReplayMismatch = errors.New("replay does not match")

// runReplay regenerates the article of a manifest with the recorded inputs,
// date and seed, and compares the Markdown (by SHA-256) and the manifest
// without its run section (byte for byte). The library is not touched.
func runReplay(cmd *cobra.Command, d *deps, f *writeFlags) error {
	data, err := os.ReadFile(f.replay)
	if err != nil {
		return usageError{fmt.Errorf("--replay: %w", err)}
	}
	want, err := writer.ParseManifest(data)
	if err != nil {
		return usageError{fmt.Errorf("--replay %s: %w", f.replay, err)}
	}
	cfg, err := replayBackend(cmd, f, want)
	if err != nil {
		return err
	}
	gen, closeGen, err := d.openGenerator(cmd.Context(), cfg, cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	defer closeGen()
	info := gen.Info()
	if sha := info.SHA256; want.Model.SHA256 != "" && sha != "" && sha != want.Model.SHA256 {
		return fmt.Errorf("%w: the model file differs (sha256 %.12s…, manifest %.12s…)", errReplayMismatch, sha, want.Model.SHA256)
	}
	if want.Model.SHA256 != "" && info.SHA256 == want.Model.SHA256 && isLocalModelRef(want.Model.Ref) && isLocalModelRef(info.Ref) {
		// The same file under another name or directory: record it as the
		// manifest did.
		gen = renameModel(gen, want.Model.Ref)
	}
	p := &writer.Pipeline{Gen: gen, Version: version}
	if p.Watermark, err = f.wm.recordedKey(want.Inputs.Watermark); err != nil {
		return err
	}
	st, err := p.NewState(want.ReplayOptions())
	if err != nil {
		return fmt.Errorf("--replay: recorded inputs: %w", err)
	}
	if f.jsonEvents {
		p.Events = newProgress(cmd.OutOrStdout(), cmd.ErrOrStderr(), true, false).event
	}
	art, err := p.Run(cmd.Context(), st)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(art.Markdown)
	articleSame := hex.EncodeToString(sum[:]) == want.Article.MarkdownSHA256
	same, diff, err := want.Compare(art.Manifest)
	if err != nil {
		return err
	}
	if articleSame && same {
		fmt.Fprintf(cmd.OutOrStdout(), "replay: identical (article sha256 %s; manifest identical except its run section)\n", want.Article.MarkdownSHA256)
		return nil
	}
	return replayMismatch(hex.EncodeToString(sum[:]), want.Article.MarkdownSHA256, diff)
}

// replayBackend is the generator of a replay: the flags' with --backend or
// --model, else the manifest's, whose local model file is looked for by
// findReplayModel.
func replayBackend(cmd *cobra.Command, f *writeFlags, want *writer.Manifest) (backendConfig, error) {
	cfg := backendFromInfo(want.Model.Backend, want.Model.Ref)
	if cmd.Flags().Changed("backend") || cmd.Flags().Changed("model") {
		cfg = f.backend
		cfg.Model = f.model
	} else if cfg.Backend == backendLocal && isLocalModelRef(cfg.Model) {
		path, err := findReplayModel(want.Model, f.replay, cachedModels)
		if err != nil {
			return cfg, err
		}
		cfg.Model = path
	}
	cfg.Threads, cfg.Context = f.backend.Threads, f.backend.Context
	cfg.NoPromptCache = f.backend.NoPromptCache
	if cfg.APIKeyEnv == "" {
		cfg.APIKeyEnv = f.backend.APIKeyEnv
	}
	return cfg, nil
}

// replayMismatch says what a replay changed: the article text (by its
// sha256) and/or the manifest's sections, each named once.
func replayMismatch(gotSHA, wantSHA string, sections []string) error {
	var parts []string
	if gotSHA != wantSHA {
		parts = append(parts, fmt.Sprintf("the article text differs (sha256 %.12s…, manifest %.12s…)", gotSHA, wantSHA))
	}
	if len(sections) > 0 {
		parts = append(parts, "manifest sections differ: "+strings.Join(sections, ", "))
	}
	return fmt.Errorf("%w: %s", errReplayMismatch, strings.Join(parts, "; "))
}

// Final --json events: the last line on stdout when a run does not end
// with its report.
const (
	eventError       = "error"
	eventInterrupted = "interrupted"
)

// endEvent is the final NDJSON event of a failed or interrupted run. Type
// repeats Event for consumers that dispatch on "type" like the other
// events.
type endEvent struct {
	Type      string `json:"type"`
	Event     string `json:"event"`
	ArticleID int64  `json:"article_id,omitempty"`
	Message   string `json:"message"`
	Resume    string `json:"resume,omitempty"`
}

// finalEvent writes the end event of a run that returned err; id is the
// article's library row (0 when none was created).
func finalEvent(ctx context.Context, w io.Writer, id int64, err error) {
	e := endEvent{Event: eventError, ArticleID: id, Message: err.Error()}
	if interrupted(ctx, err) {
		e.Event = eventInterrupted
	}
	e.Type = e.Event
	var le *library.LockedError
	if id > 0 && !errors.As(err, &le) {
		e.Resume = fmt.Sprintf("plume write --resume %d", id)
	}
	_ = json.NewEncoder(w).Encode(e)
}
