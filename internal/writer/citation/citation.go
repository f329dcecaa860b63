package citation

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/plumewriter/plume/internal/jsonschema"

	"github.com/plumewriter/plume/internal/retrieve"
)

// Verdicts, as the model gives them and as the manifest records them.
const (
	Supported    = "supported"
	Partly       = "partly"
	NotSupported = "not supported"
)

// MinOverlap is the lexical floor: a sentence that shares less than a
// quarter of its content words (stemmed, stop words left out) with the
// passage it cites is not drawn from it, whatever the model says. Small
// models approve too readily; a paraphrase that keeps the facts still keeps
// names, numbers and most nouns, well above a quarter (see the pairs in the
// tests).
const MinOverlap = 0.25

// MaxSpanChars bounds the supporting span the model quotes: a sentence of
// the passage, enough to show where the claim comes from.
const MaxSpanChars = 200

// MaxTokens bounds the verdict answer at its worst case, so that a
// grammar-constrained answer always closes: one token per span character,
// plus the object's keys, verdict and the whitespace the grammar allows.
const MaxTokens = MaxSpanChars + 80

// Schema is the JSON Schema of the model's verdict (grammar-constrained on
// the local engine).
var Schema = jsonschema.MustParse(fmt.Sprintf(`{"type":"object","properties":{`+
	`"verdict":{"type":"string","enum":["supported","partly","not supported"]},`+
	`"span":{"type":"string","minLength":0,"maxLength":%d}},`+
	`"required":["verdict","span"],"additionalProperties":false}`, MaxSpanChars))

// Answer is the model's verdict on one citation.
type Answer struct {
	Verdict string `json:"verdict"`
	Span    string `json:"span"`
}

// ErrAnswer is returned for an answer that does not follow Schema.
var ErrAnswer = errors.New("citation: bad verdict answer")

// ParseAnswer decodes and checks a verdict answer.
func ParseAnswer(text string) (Answer, error) {
	var a Answer
	dec := json.NewDecoder(strings.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		return Answer{}, fmt.Errorf("%w: %v", ErrAnswer, err)
	}
	switch a.Verdict {
	case Supported, Partly, NotSupported:
	default:
		return Answer{}, fmt.Errorf("%w: verdict %q", ErrAnswer, a.Verdict)
	}
	return a, nil
}

// Result is the checked verdict of one citation.
type Result struct {
	// Verdict is the final verdict: the model's, lowered by the floor.
	Verdict string `json:"verdict"`
	// Model is the verdict the model gave.
	Model string `json:"model_verdict"`
	// Span is the supporting span, kept only when it occurs in the
	// passage.
	Span    string  `json:"span,omitempty"`
	Overlap float64 `json:"overlap"`
	// Reason says why the final verdict differs from the model's.
	Reason string `json:"reason,omitempty"`
}

// Kept reports whether the citation stays in the article.
func (r Result) Kept() bool { return r.Verdict != NotSupported }

// Decide combines the model's answer with the lexical floor: under
// MinOverlap the verdict is "not supported"; a "supported" whose span is
// not found in the passage becomes "partly".
func Decide(lang, sentence, passage string, a Answer) (Result, error) {
	ov, err := retrieve.Overlap(lang, Strip(sentence), passage)
	if err != nil {
		return Result{}, err
	}
	r := Result{Verdict: a.Verdict, Model: a.Verdict, Overlap: ov}
	if span := strings.TrimSpace(a.Span); span != "" && contains(passage, span) {
		r.Span = span
	}
	switch {
	case ov < MinOverlap && r.Verdict != NotSupported:
		r.Verdict = NotSupported
		r.Reason = fmt.Sprintf("lexical overlap %.2f under the floor %.2f", ov, MinOverlap)
	case r.Verdict == Supported && r.Span == "":
		r.Verdict = Partly
		r.Reason = "supporting span not found in the passage"
	}
	return r, nil
}

// contains compares with case and white space folded.
func contains(passage, span string) bool {
	fold := func(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }
	return strings.Contains(fold(passage), fold(span))
}

// markerRe matches one citation marker: [3] or [3, 5] or [3][5].
var markerRe = regexp.MustCompile(`\[(\d{1,4}(?:\s*[,;]\s*\d{1,4})*)\]`)

// Numbers returns the passage numbers cited in s, in order, without
// repeats.
func Numbers(s string) []int {
	var out []int
	for _, m := range markerRe.FindAllStringSubmatch(s, -1) {
		for f := range strings.FieldsFuncSeq(m[1], func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
			n, err := strconv.Atoi(f)
			if err == nil && !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	return out
}

var stripRe = regexp.MustCompile(`\s*` + markerRe.String())

// Strip removes every citation marker from s (and the space before it).
func Strip(s string) string {
	// Removing a marker can join the text around it into a new one
	// ("[1[2]]"): repeat until none is left (each pass removes one).
	for stripRe.MatchString(s) {
		s = stripRe.ReplaceAllString(s, "")
	}
	return strings.TrimSpace(s)
}

// Remove takes passage n out of the markers of s, dropping a marker left
// empty (and the space before it).
func Remove(s string, n int) string {
	for {
		out := rewrite(s, func(k int) (string, bool) { return strconv.Itoa(k), k != n })
		if out == s || !slices.Contains(Numbers(out), n) {
			return out
		}
		s = out // removal joined text into a new marker of n ("[1[1]]")
	}
}

// Renumber maps every cited passage number through f (to reference numbers,
// say); a number f does not know is dropped.
func Renumber(s string, f func(int) (int, bool)) string {
	return rewrite(s, func(k int) (string, bool) {
		m, ok := f(k)
		return strconv.Itoa(m), ok
	})
}

// runRe matches a run of adjacent markers ("[3][4]", "[3] [4]") with the
// white space before it; a run is rewritten as one marker.
var runRe = regexp.MustCompile(`(\s*)((?:` + markerRe.String() + `)(?:\s*` + markerRe.String() + `)*)`)

func rewrite(s string, f func(int) (string, bool)) string {
	return runRe.ReplaceAllStringFunc(s, func(m string) string {
		sub := runRe.FindStringSubmatch(m)
		var keep []string
		for fld := range strings.FieldsFuncSeq(sub[2], func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '[' || r == ']' }) {
			k, err := strconv.Atoi(fld)
			if err != nil {
				continue
			}
			if v, ok := f(k); ok && !slices.Contains(keep, v) {
				keep = append(keep, v)
			}
		}
		if len(keep) == 0 {
			return ""
		}
		return sub[1] + "[" + strings.Join(keep, ", ") + "]"
	})
}

// leadingRun matches citation markers at the start of a sentence.
var leadingRun = regexp.MustCompile(`^(?:` + markerRe.String() + `\s*)+`)

// Sentences cuts text into sentences that are exact substrings of it (so
// that a sentence can be replaced in place): after '.', '!', '?' or '…'
// followed by white space, and at blank lines. Markers put after the full
// stop ("air. [3] Next") stay with the sentence they follow.
func Sentences(text string) []string {
	var out []string
	start := 0
	cut := func(end int) {
		if s := strings.TrimSpace(text[start:end]); s != "" {
			if lead := leadingRun.FindString(s); lead != "" && len(out) > 0 {
				// Glue leading markers to the previous sentence.
				prev := out[len(out)-1]
				i := strings.Index(text[start:], lead)
				if strings.TrimSpace(text[start:start+i]) == "" {
					joined := strings.TrimSpace(text[strings.LastIndex(text[:start], prev) : start+i+len(strings.TrimRight(lead, " \n\t"))])
					out[len(out)-1] = joined
					s = strings.TrimSpace(s[len(lead):])
				}
			}
			if s != "" {
				out = append(out, s)
			}
		}
		start = end
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '\n' && i+1 < len(text) && text[i+1] == '\n':
			cut(i)
		case (c == '.' || c == '!' || c == '?') && i+1 < len(text) && (text[i+1] == ' ' || text[i+1] == '\n'):
			cut(i + 1)
		case strings.HasPrefix(text[i:], "…") && i+3 < len(text) && (text[i+3] == ' ' || text[i+3] == '\n'):
			cut(i + 3)
		}
	}
	cut(len(text))
	return out
}
