package writer

import (
	"fmt"

	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/watermark"
)

// LocalBackend is the llm.ModelInfo.Backend of Plume's own engine, the only
// one whose sampler can embed a watermark.
const LocalBackend = "plume"

// WatermarkRecord says whether an article's text carries a statistical
// watermark (internal/watermark), with which scheme and key, or why not.
type WatermarkRecord struct {
	Present        bool   `json:"present"`
	Scheme         string `json:"scheme,omitempty"`
	KeyFingerprint string `json:"key_fingerprint,omitempty"`
	// PublicKey: the key is the one published in Plume's repository, so
	// anyone can check the article with plume verify.
	PublicKey bool   `json:"public_key,omitempty"`
	Note      string `json:"note,omitempty"`
}

// watermarkRecord describes the watermark of a run that asked for the key
// with fingerprint fp ("" = off) on the backend of info.
func watermarkRecord(fp string, info llm.ModelInfo) *WatermarkRecord {
	switch {
	case info.Backend != LocalBackend:
		return &WatermarkRecord{Note: fmt.Sprintf("backend %q cannot be watermarked (only Plume's local engine samples the tokens)", info.Backend)}
	case fp == "":
		return &WatermarkRecord{Note: "turned off with --watermark off"}
	}
	return &WatermarkRecord{Present: true, Scheme: watermark.Scheme, KeyFingerprint: fp,
		PublicKey: fp == watermark.DefaultKey().Fingerprint()}
}

// frontMatter is the record as one front-matter line.
func (w *WatermarkRecord) frontMatter() string {
	if !w.Present {
		return "none (" + w.Note + ")"
	}
	s := w.Scheme + ", key " + w.KeyFingerprint
	if w.PublicKey {
		s += " (public key, anyone can check with plume verify)"
	}
	return s
}

// checkWatermark makes sure a run asked to watermark (Options.Watermark,
// a key fingerprint) has that key, so that a resumed or replayed article is
// watermarked as it started.
func (p *Pipeline) checkWatermark(st *State) error {
	fp := st.Options.Watermark
	switch {
	case fp == "" && p.Watermark != nil:
		return fmt.Errorf("%w: the article was started without a watermark, but a watermark key is set", ErrInput)
	case fp == "":
		return nil
	case p.Watermark == nil:
		return fmt.Errorf("%w: the article is watermarked with key %s: give that key (--watermark-key)", ErrInput, fp)
	case p.Watermark.Fingerprint() != fp:
		return fmt.Errorf("%w: the article is watermarked with key %s, not with the given key %s", ErrInput, fp, p.Watermark.Fingerprint())
	}
	return nil
}

// watermarkLine is the front matter's watermark field ("" when unknown).
func (a *Article) watermarkLine() string {
	if a.Watermark == nil {
		return ""
	}
	return a.Watermark.frontMatter()
}
