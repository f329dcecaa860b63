package writer

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"

	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/sample"
	"github.com/plumewriter/plume/internal/writer/quality"
)

// ManifestFormat identifies the manifest layout.
const ManifestFormat = "plume-manifest/1"

// MaxManifestBytes caps a manifest read for --replay: every prompt and
// answer of a 4000-word article is well under 4 MiB.
const MaxManifestBytes = 16 << 20

// Manifest is the provenance record of an article, written beside it as
// ARTICLE.plume.json. Everything except Run is deterministic: a replay with
// the same model, inputs, settings and seed reproduces it byte for byte.
// Run holds what legitimately varies between runs (timings, the model's
// file name, whether the run was resumed) and is excluded from the replay
// comparison. A manifest is published with its article, so it never holds
// a local directory: a model file is named by its base name (and identified
// by its sha256).
type Manifest struct {
	Format    string         `json:"format"`
	Generator string         `json:"generator"` // "plume <version>"
	Article   ArticleDigest  `json:"article"`
	Date      string         `json:"date"`
	Inputs    Options        `json:"inputs"`
	Model     ModelRecord    `json:"model"`
	Sampling  sample.Params  `json:"sampling"`
	Seed      uint64         `json:"seed"`
	Tokens    TokenTotals    `json:"tokens"`
	Calls     []Call         `json:"calls"`
	Quality   quality.Report `json:"quality"`
	// Confidence lists the per-sentence mean token probability of the final
	// text of each part (from its last draft or revise call).
	Confidence []SentenceConfidence `json:"confidence"`
	Warnings   []string             `json:"warnings,omitempty"`
	// Grounding records, for an article written from sources, the
	// passages, what each prompt was given and every citation's verdict
	// (the sources themselves, with sha256, URL and time, are in Inputs).
	Grounding *Grounding `json:"grounding,omitempty"`
	// DigitalSourceType is the IPTC marking of AI-generated content.
	DigitalSourceType string `json:"digitalSourceType"`
	// Watermark says whether the text carries a statistical watermark.
	Watermark *WatermarkRecord `json:"watermark,omitempty"`
	// Approval is the human sign-off (plume articles approve), if any.
	Approval *Approval `json:"approval,omitempty"`
	// BiasCards link the model's bias cards found in the library when the
	// article was written (they depend on the library, not on the run, so
	// a replay does not compare them).
	BiasCards []BiasCardLink `json:"bias_cards,omitempty"`
	Run       *RunInfo       `json:"run,omitempty"`
}

// ArticleDigest identifies the article the manifest describes.
type ArticleDigest struct {
	Slug           string `json:"slug"`
	Title          string `json:"title"`
	MarkdownSHA256 string `json:"markdown_sha256"`
	Words          int    `json:"words"`
}

// ModelRecord is the model's provenance (llm.ModelInfo without the local
// path, whose file name moves to Run). In a manifest, Ref is public (see
// publicModelName); in a State, which stays in the library, it is what the
// run was given, so that a resume finds the same file.
type ModelRecord struct {
	Ref    string `json:"ref"`
	SHA256 string `json:"sha256,omitempty"`
	Commit string `json:"commit,omitempty"`
	// License is the model's licence, LicenseUnknown when neither the
	// file nor its repository names one (never a missing key).
	License       string `json:"license"`
	Architecture  string `json:"architecture,omitempty"`
	ContextLength int    `json:"context_length"`
	// Served names a remote model as its server describes it (llama.cpp
	// build and model file, Ollama digest).
	Served string `json:"served,omitempty"`
	// ChatTemplate is the template the prompts were rendered with.
	ChatTemplate ChatTemplateRecord `json:"chat_template"`
	// TrainedContextLength is the model's own window when the backend
	// knows it: ContextLength is the window the run used (--ctx, the plan).
	TrainedContextLength int    `json:"trained_context_length,omitempty"`
	Backend              string `json:"backend"`
	EngineVersion        string `json:"engine_version,omitempty"`
}

// TemplateUnknown is the chat template source of a backend that does not
// tell which template it used.
const TemplateUnknown = "unknown"

// LicenseUnknown is the licence recorded for a model that names none.
const LicenseUnknown = "unknown"

// ChatTemplateRecord identifies a chat template: its sha256 and where it
// came from ("gguf", "builtin:FAMILY", a server endpoint, or "unknown").
type ChatTemplateRecord struct {
	SHA256 string `json:"sha256,omitempty"`
	Source string `json:"source"`
}

func modelRecord(info llm.ModelInfo) ModelRecord {
	return ModelRecord{Ref: info.Ref, SHA256: info.SHA256, Commit: info.Commit, License: cmp.Or(info.License, LicenseUnknown),
		Served:       info.Served,
		ChatTemplate: ChatTemplateRecord{SHA256: info.ChatTemplateSHA256, Source: cmp.Or(info.ChatTemplateSource, TemplateUnknown)},
		Architecture: info.Architecture, ContextLength: info.ContextLength, TrainedContextLength: info.TrainedContextLength,
		Backend: info.Backend, EngineVersion: info.EngineVersion}
}

// publicModelRef is the model reference a manifest records: a hub
// reference as is, a local file (a path, or a Ref equal to the file's Path,
// as the engine reports a model loaded by path) by its base name only.
func publicModelRef(info llm.ModelInfo) string {
	if info.Path != "" && info.Ref == info.Path {
		return fileName(info.Ref)
	}
	return publicModelName(info.Ref)
}

// fileName is the last element of path ("" for "").
func fileName(path string) string {
	if path == "" {
		return ""
	}
	return filepath.Base(path)
}

// TokenTotals sums the calls.
type TokenTotals struct {
	Calls      int `json:"calls"`
	Prompt     int `json:"prompt"`
	Completion int `json:"completion"`
}

// RunInfo is the non-deterministic part of a manifest.
type RunInfo struct {
	ModelPath string        `json:"model_path,omitempty"`
	Timings   []Timing      `json:"timings"`
	Stages    []StageTiming `json:"stages"`
	Resumed   bool          `json:"resumed,omitempty"`
}

// StageTiming totals the wall time of one stage.
type StageTiming struct {
	Stage  string  `json:"stage"`
	Calls  int     `json:"calls"`
	WallMS float64 `json:"wall_ms"`
	GenMS  float64 `json:"gen_ms"`
	// PromptTokens and PromptEvaluated total the calls' Timing fields.
	PromptTokens    int `json:"prompt_tokens,omitempty"`
	PromptEvaluated int `json:"prompt_evaluated,omitempty"`
}

// buildManifest records st; md is the article Markdown.
func buildManifest(st *State, info llm.ModelInfo, version string, md []byte, rep quality.Report, words int) *Manifest {
	sum := sha256.Sum256(md)
	m := &Manifest{
		Format: ManifestFormat, Generator: "plume " + version,
		Date: st.Options.Date, Inputs: st.Options, Sampling: st.Options.Sampling, Seed: st.Options.Seed,
		Calls: st.Calls, Quality: rep, Warnings: st.Warnings, DigitalSourceType: DigitalSourceType,
		Model:   modelRecord(info),
		Article: ArticleDigest{MarkdownSHA256: hex.EncodeToString(sum[:]), Words: words},
		Run: &RunInfo{ModelPath: fileName(info.Path), Timings: st.Timings, Stages: stageTimings(st.Timings),
			Resumed: st.Resumes > 0},
	}
	m.Model.Ref = publicModelRef(info)
	m.Watermark = watermarkRecord(st.Options.Watermark, info)
	m.BiasCards = st.BiasCards
	m.Grounding = st.Grounding
	m.Inputs.Sampling.Seed = m.Seed // also for states saved before Normalize set it
	m.Sampling = m.Inputs.Sampling
	if st.Metadata != nil {
		m.Article.Slug, m.Article.Title = st.Metadata.Slug, st.Metadata.Title
	}
	for _, c := range st.Calls {
		m.Tokens.Calls++
		m.Tokens.Prompt += c.PromptTokens
		m.Tokens.Completion += c.CompletionTokens
	}
	m.Confidence = finalConfidence(st)
	if m.Calls == nil {
		m.Calls = []Call{}
	}
	return m
}

// finalConfidence takes, for each part, the sentences of the last call that
// produced its text.
func finalConfidence(st *State) []SentenceConfidence {
	last := map[int]int{} // part → index of its last draft/revise call
	for i, c := range st.Calls {
		if c.Stage == StageDraft || c.Stage == StageRevise {
			last[c.Part] = i
		}
	}
	out := []SentenceConfidence{}
	for p := range st.Parts {
		if i, ok := last[p]; ok {
			out = append(out, st.Calls[i].Sentences...)
		}
	}
	return out
}

func stageTimings(ts []Timing) []StageTiming {
	var out []StageTiming
	for _, t := range ts {
		i := len(out) - 1
		for i >= 0 && out[i].Stage != t.Stage {
			i--
		}
		if i < 0 {
			out = append(out, StageTiming{Stage: t.Stage})
			i = len(out) - 1
		}
		out[i].Calls++
		out[i].WallMS += t.WallMS
		out[i].GenMS += t.GenMS
		out[i].PromptTokens += t.PromptTokens
		out[i].PromptEvaluated += t.PromptEvaluated
	}
	return out
}

// Marshal encodes the manifest as indented JSON with a final newline.
func (m *Manifest) Marshal() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	return b.Bytes(), nil
}

// Canonical is the manifest without its Run section: the bytes that a
// replay must reproduce exactly. Manifests written by earlier versions are
// compared as the current ones would record the same run: their model
// reference could be a local path (now its base name) and their sampling
// blocks a seed of 0 (now the run's seed, which was the one used).
func (m *Manifest) Canonical() ([]byte, error) {
	c := *m
	c.Run = nil
	c.BiasCards = nil
	if c.Watermark != nil && !c.Watermark.Present {
		c.Watermark = nil // manifests before the watermark had none
	}
	c.Model.Ref = publicModelName(c.Model.Ref)
	c.Model.License = cmp.Or(c.Model.License, LicenseUnknown) // older manifests omitted an unknown one
	if c.Inputs.Sampling.Seed == 0 && c.Sampling.Seed == 0 {
		c.Inputs.Sampling.Seed, c.Sampling.Seed = c.Seed, c.Seed
	}
	return c.Marshal()
}

// ParseManifest reads a manifest, checking its format.
func ParseManifest(data []byte) (*Manifest, error) {
	if len(data) > MaxManifestBytes {
		return nil, fmt.Errorf("manifest: %d bytes is over the %d-byte limit", len(data), MaxManifestBytes)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	if m.Format != ManifestFormat {
		return nil, fmt.Errorf("manifest: unknown format %q (want %q)", m.Format, ManifestFormat)
	}
	return &m, nil
}

// ReplayOptions returns the inputs of the manifest's run, date included, so
// that a new run reproduces it. Manifests written before the visible AI
// notice existed have no ai_notice input (new runs always record it, see
// Normalize): their articles had no notice.
func (m *Manifest) ReplayOptions() Options {
	o := m.Inputs
	if o.AINotice == nil {
		off := false
		o.AINotice = &off
	}
	return o
}

// Compare reports whether other reproduces m: identical canonical bytes.
// The result lists the first differing top-level fields, for the user.
func (m *Manifest) Compare(other *Manifest) (bool, []string, error) {
	a, err := m.Canonical()
	if err != nil {
		return false, nil, err
	}
	b, err := other.Canonical()
	if err != nil {
		return false, nil, err
	}
	if bytes.Equal(a, b) {
		return true, nil, nil
	}
	if m.Model.ChatTemplate.Source == "" { // a manifest written before the template was recorded
		o := *other
		o.Model.ChatTemplate, o.Model.Served, o.Model.TrainedContextLength = m.Model.ChatTemplate, m.Model.Served, m.Model.TrainedContextLength
		if b, err = o.Canonical(); err != nil {
			return false, nil, err
		}
		if bytes.Equal(a, b) {
			return true, nil, nil
		}
	}
	var fa, fb map[string]json.RawMessage
	if err := json.Unmarshal(a, &fa); err != nil {
		return false, nil, err
	}
	if err := json.Unmarshal(b, &fb); err != nil {
		return false, nil, err
	}
	var diff []string
	for _, k := range []string{"format", "generator", "article", "date", "inputs", "model", "sampling", "seed",
		"tokens", "calls", "quality", "confidence", "warnings", "digitalSourceType", "watermark"} {
		if !bytes.Equal(fa[k], fb[k]) {
			diff = append(diff, k)
		}
	}
	return false, diff, nil
}

// ModelInfo returns the recorded model as an llm.ModelInfo (without a path).
func (m *Manifest) ModelInfo() llm.ModelInfo {
	r := m.Model
	return llm.ModelInfo{Ref: r.Ref, SHA256: r.SHA256, Commit: r.Commit, License: r.License,
		Architecture: r.Architecture, ContextLength: r.ContextLength, TrainedContextLength: r.TrainedContextLength,
		Backend: r.Backend, EngineVersion: r.EngineVersion}
}
