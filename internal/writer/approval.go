package writer

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// IPTC digital source type of content a human edited from AI output.
const (
	DigitalSourceTypeComposite    = "compositeWithTrainedAlgorithmicMedia"
	DigitalSourceTypeCompositeURI = "https://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia"
)

// Checks are the things an editor can declare checked (--checked).
var Checks = []string{"facts", "sources", "quotes", "names", "figures", "links", "tone", "bias"}

// Limits of an approval's free text.
const (
	// MaxEditorChars caps the editor's name (a name, not a biography).
	MaxEditorChars = 120
	// MaxNoteChars caps the editor's note.
	MaxNoteChars = 2000
)

// Approval records that a named person reviewed an article and takes
// editorial responsibility for it (the EU AI Act's Article 50 exemption for
// text under human editorial control).
type Approval struct {
	Editor  string   `json:"editor"`
	At      string   `json:"at"` // RFC 3339, UTC
	Checked []string `json:"checked"`
	Note    string   `json:"note,omitempty"`
	// MarkdownSHA256 is the sha256 of the approved Markdown file (front
	// matter included), which plume articles verify checks.
	MarkdownSHA256 string `json:"markdown_sha256"`
	// ModelMarkdownSHA256 and ModelRevision identify the model's text
	// the editor started from.
	ModelMarkdownSHA256 string `json:"model_markdown_sha256"`
	ModelRevision       int    `json:"model_revision"`
	// EditRatio is the word edit distance from the model's body to the
	// approved body over the longer one's words (0 = approved unchanged).
	EditRatio float64 `json:"edit_ratio"`
	WordEdits int     `json:"word_edits"`
	// File is where the approved Markdown was written, if anywhere (a local
	// path: it stays in the library).
	File string `json:"file,omitempty"`
}

// Edited reports whether the editor changed the text.
func (ap *Approval) Edited() bool { return ap.WordEdits > 0 }

// NewApproval validates the editor's inputs and returns the approval
// without its digests (the caller fills them).
func NewApproval(editor string, checked []string, note string, at time.Time) (*Approval, error) {
	editor = strings.TrimSpace(editor)
	switch n := utf8.RuneCountInString(editor); {
	case n == 0:
		return nil, fmt.Errorf("%w: --editor is required: the name of the person who takes responsibility", ErrInput)
	case n > MaxEditorChars:
		return nil, fmt.Errorf("%w: --editor is %d characters, at most %d", ErrInput, n, MaxEditorChars)
	}
	if utf8.RuneCountInString(note) > MaxNoteChars {
		return nil, fmt.Errorf("%w: --note is over %d characters", ErrInput, MaxNoteChars)
	}
	if strings.ContainsFunc(editor+note, func(r rune) bool { return r < 0x20 && r != '\n' || r == 0x7f }) {
		return nil, fmt.Errorf("%w: control characters in --editor or --note", ErrInput)
	}
	ap := &Approval{Editor: editor, At: at.UTC().Truncate(time.Second).Format(time.RFC3339), Checked: []string{}, Note: strings.TrimSpace(note)}
	for _, c := range checked {
		c = strings.ToLower(strings.TrimSpace(c))
		if c == "" || contains(ap.Checked, c) {
			continue
		}
		if !contains(Checks, c) {
			return nil, fmt.Errorf("%w: unknown --checked %q (any of %s)", ErrInput, c, strings.Join(Checks, ", "))
		}
		ap.Checked = append(ap.Checked, c)
	}
	return ap, nil
}

// digitalSourceType is the article's IPTC marking: composite once a human
// edited the model's text, else still the model's.
func (a *Article) digitalSourceType() (short, uri string) {
	if a.Approval != nil && a.Approval.Edited() {
		return DigitalSourceTypeComposite, DigitalSourceTypeCompositeURI
	}
	return DigitalSourceType, DigitalSourceTypeURI
}

// editor is the approving editor's name ("" without approval).
func (a *Article) editor() string {
	if a.Approval == nil {
		return ""
	}
	return a.Approval.Editor
}

// ErrNoApproval is returned when an approval is needed but absent.
var ErrNoApproval = errors.New("no approval")

// Approve returns the manifest of an approved article: m with the approval
// and the marking it implies.
func (m *Manifest) Approve(ap *Approval) *Manifest {
	c := *m
	c.Approval = ap
	c.DigitalSourceType = DigitalSourceType
	if ap.Edited() {
		c.DigitalSourceType = DigitalSourceTypeComposite
	}
	return &c
}

// RenderMarkdown renders the front matter and Body as a Markdown file.
func (a *Article) RenderMarkdown(version, modelRef string) ([]byte, error) {
	fm, err := a.FrontMatter(version, modelRef)
	if err != nil {
		return nil, err
	}
	var y bytes.Buffer
	enc := yaml.NewEncoder(&y)
	enc.SetIndent(2)
	if err := enc.Encode(fm); err != nil {
		return nil, fmt.Errorf("front matter: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("front matter: %w", err)
	}
	return []byte("---\n" + y.String() + "---\n\n" + a.Body), nil
}
