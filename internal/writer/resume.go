package writer

import (
	"cmp"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// BackendLocal and BackendOpenAI are the backends a run can record.
const (
	BackendLocal  = "plume"
	BackendOpenAI = "openai"
)

// ResumeKeys are the keys of RunOptions.Given that a resumed run compares
// with its recorded settings (plume write's flag names). A key given with
// another value than the recorded one is refused: a resume continues the
// same article, in the same place, with the same generator. threads and
// ctx change only the speed and the memory used, so they may differ.
var ResumeKeys = []string{"lang", "audience", "tone", "words", "keywords", "notes", "seed", "temperature",
	"top-k", "top-p", "revise", "author", "draft", "ai-notice", "out", "format", "backend", "model",
	"base-url", "api-key-env"}

// BackendOf recovers the backend of a recorded model (checkpoints of older
// versions, replay): ModelRecord.Backend is "plume" or "openai:<base URL>".
func BackendOf(backend, ref string) Backend {
	if url, ok := strings.CutPrefix(backend, BackendOpenAI+":"); ok {
		return Backend{Backend: BackendOpenAI, BaseURL: url, Model: ref}
	}
	return Backend{Backend: BackendLocal, Model: ref}
}

// newSettings are the settings of a new run. The output directory of an
// outline-only run is recorded only when given, so that the run that
// continues it may choose one.
func newSettings(o RunOptions, outlineOnly bool) (*RunSettings, error) {
	format := cmp.Or(o.Format, FormatMarkdown)
	if !slices.Contains(Formats, format) {
		return nil, fmt.Errorf("%w: unknown format %q (md, html or json)", ErrInput, format)
	}
	set := &RunSettings{Backend: o.Backend}
	if outlineOnly && !o.Given["out"] && !o.Given["format"] {
		return set, nil
	}
	out, err := filepath.Abs(cmp.Or(o.Out, "."))
	if err != nil {
		return nil, fmt.Errorf("output directory: %w", err)
	}
	set.Out, set.Format = out, format
	return set, nil
}

// resumeInto checks the options given to a resumed run against st's and
// completes st for the run: the output directory and format when the
// first run did not choose them, the threads and context when given, and
// OutlineOnly (without it, an outline-only article continues to the end).
func (o RunOptions) resumeInto(st *State) error {
	set := st.Settings
	if set == nil { // a checkpoint from before settings were recorded
		set = &RunSettings{}
		if st.Model != nil {
			set.Backend = BackendOf(st.Model.Backend, st.Model.Ref)
		}
		st.Settings = set
	}
	if bad := o.conflicts(st); len(bad) > 0 {
		return fmt.Errorf("%w: %s (resume continues with the settings of the first run: leave these out)",
			ErrResumeConflict, strings.Join(bad, "; "))
	}
	if set.Out == "" {
		out, err := filepath.Abs(cmp.Or(o.Out, "."))
		if err != nil {
			return fmt.Errorf("output directory: %w", err)
		}
		set.Out = out
	}
	set.Format = cmp.Or(set.Format, o.Format, FormatMarkdown)
	if !slices.Contains(Formats, set.Format) {
		return fmt.Errorf("%w: unknown format %q (md, html or json)", ErrInput, set.Format)
	}
	if o.Given["threads"] {
		set.Backend.Threads = o.Backend.Threads
	}
	if o.Given["ctx"] {
		set.Backend.Context = o.Backend.Context
	}
	if o.Given["prompt-cache"] {
		set.Backend.NoPromptCache = o.Backend.NoPromptCache
	}
	st.Options.OutlineOnly = o.Article.OutlineOnly
	return nil
}

// conflicts lists the given settings that differ from st's, each as
// "--KEY VALUE (the article has RECORDED)".
func (o RunOptions) conflicts(st *State) []string {
	rec, set, g := st.Options, st.Settings, o.Article
	g.Keywords = slices.DeleteFunc(slices.Clone(g.Keywords), func(k string) bool { return strings.TrimSpace(k) == "" })
	for i := range g.Keywords {
		g.Keywords[i] = strings.TrimSpace(g.Keywords[i])
	}
	out := o.Out
	if abs, err := filepath.Abs(cmp.Or(out, ".")); err == nil {
		out = abs
	}
	checks := []struct {
		key            string
		same           bool
		given, current any
	}{
		{"lang", strings.ToLower(strings.TrimSpace(g.Lang)) == rec.Lang, g.Lang, rec.Lang},
		{"audience", strings.TrimSpace(g.Audience) == rec.Audience, g.Audience, rec.Audience},
		{"tone", g.Tone == rec.Tone, g.Tone, rec.Tone},
		{"words", g.Words == rec.Words, g.Words, rec.Words},
		{"keywords", slices.Equal(g.Keywords, rec.Keywords), strings.Join(g.Keywords, ","), strings.Join(rec.Keywords, ",")},
		{"notes", g.Notes == rec.Notes, "(a notes file)", "other notes"},
		{"seed", g.Seed == rec.Seed, g.Seed, rec.Seed},
		{"temperature", g.Sampling.Temperature == rec.Sampling.Temperature, g.Sampling.Temperature, rec.Sampling.Temperature},
		{"top-k", g.Sampling.TopK == rec.Sampling.TopK, g.Sampling.TopK, rec.Sampling.TopK},
		{"top-p", g.Sampling.TopP == rec.Sampling.TopP, g.Sampling.TopP, rec.Sampling.TopP},
		{"revise", g.MaxRevise == rec.MaxRevise, g.MaxRevise, rec.MaxRevise},
		{"author", strings.TrimSpace(g.Author) == rec.Author, g.Author, rec.Author},
		{"draft", g.IsDraft() == rec.IsDraft(), g.IsDraft(), rec.IsDraft()},
		{"ai-notice", g.ShowsAINotice() == rec.ShowsAINotice(), onOff(g.ShowsAINotice()), onOff(rec.ShowsAINotice())},
		{"out", set.Out == "" || out == set.Out, out, set.Out},
		{"format", set.Format == "" || o.Format == set.Format, o.Format, set.Format},
		{"backend", cmp.Or(o.Backend.Backend, BackendLocal) == cmp.Or(set.Backend.Backend, BackendLocal), o.Backend.Backend, set.Backend.Backend},
		{"model", o.Backend.Model == set.Backend.Model, o.Backend.Model, set.Backend.Model},
		{"base-url", o.Backend.BaseURL == set.Backend.BaseURL, o.Backend.BaseURL, set.Backend.BaseURL},
		{"api-key-env", o.Backend.APIKeyEnv == set.Backend.APIKeyEnv, o.Backend.APIKeyEnv, set.Backend.APIKeyEnv},
	}
	var bad []string
	for _, c := range checks {
		if o.Given[c.key] && !c.same {
			bad = append(bad, fmt.Sprintf("--%s %v (the article has %v)", c.key, c.given, c.current))
		}
	}
	return bad
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}
