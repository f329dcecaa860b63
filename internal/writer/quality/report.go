package quality

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// Rule thresholds. Each is a named constant with the reason for its value.
const (
	// MaxSectionWords is the subheading spacing rule: more than 350 words
	// without a subheading is a wall of text for web readers (Yoast's limit
	// for subheading distribution is 300; 350 leaves room for a long list).
	MaxSectionWords = 350
	// MaxSentenceWords flags sentences that are hard to follow in one read;
	// web style guides put the comfortable limit between 20 and 30 words, so
	// 35 flags only the really long ones.
	MaxSentenceWords = 35
	// MaxParagraphWords flags paragraphs of more than 150 words, the usual
	// readability-tool threshold for screen reading.
	MaxParagraphWords = 150
	// MinMetaDescription and MaxMetaDescription bound the meta description,
	// in characters: search engines truncate past about 156 characters and
	// treat much shorter ones as too thin to show.
	MinMetaDescription = 120
	MaxMetaDescription = 156
	// MinReadability is the lowest acceptable reading-ease score on the
	// 0–100 scale shared by Flesch and Kandel–Moles: below 50 the text reads
	// as "difficult" (college level).
	MinReadability = 50
	// RepeatN is the n-gram length of the repetition rule: five words in the
	// same order in two sections is a repeated phrase, not a common idiom.
	RepeatN = 5
	// maxWhere caps the examples listed per failed rule, to keep reports short.
	maxWhere = 5
)

// Rule identifiers, stable across versions (they are stored in manifests).
const (
	RuleReadability     = "readability"
	RuleSentenceLength  = "sentence-length"
	RuleParagraphLength = "paragraph-length"
	RuleSectionLength   = "section-length"
	RuleRepeatedNgrams  = "repeated-ngrams"
	RuleMetaDescription = "meta-description"
	RuleKeywordTitle    = "keyword-title"
	RuleKeywordIntro    = "keyword-intro"
	RuleKeywordHeadings = "keyword-headings"
)

// Section is one part of an article: the introduction (Level 0, no
// heading) or the text under an H2 (Level 2) or H3 (Level 3) heading.
type Section struct {
	Heading string `json:"heading,omitempty"`
	Level   int    `json:"level"`
	Text    string `json:"text"`
}

// Document is what the analysis reads.
type Document struct {
	Lang        string    // "en" or "fr"
	Title       string    //
	Description string    // meta description
	Sections    []Section // in reading order, introduction first
	Keywords    []string
	Reviews     []Review // the reviewer's last verdict per section, if reviewed
}

// Readability is the reading-ease score and the counts behind it.
type Readability struct {
	Formula   string  `json:"formula"` // "flesch" or "kandel-moles"
	Score     float64 `json:"score"`
	Words     int     `json:"words"`
	Sentences int     `json:"sentences"`
	Syllables int     `json:"syllables"`
}

// Distribution summarises lengths in words.
type Distribution struct {
	Count  int     `json:"count"`
	Min    int     `json:"min"`
	Max    int     `json:"max"`
	Mean   float64 `json:"mean"`
	Median int     `json:"median"`
	P90    int     `json:"p90"`
}

// Rule is the outcome of one check; Where names the sentences or sections
// that make it fail.
type Rule struct {
	ID      string   `json:"id"`
	Pass    bool     `json:"pass"`
	Message string   `json:"message"`
	Where   []string `json:"where,omitempty"`
}

// Report is the full quality report.
type Report struct {
	Lang               string       `json:"lang"`
	Readability        Readability  `json:"readability"`
	SentenceLengths    Distribution `json:"sentence_lengths"`
	ParagraphLengths   Distribution `json:"paragraph_lengths"`
	SectionWords       []int        `json:"section_words"`
	MetaDescriptionLen int          `json:"meta_description_length"`
	Rules              []Rule       `json:"rules"`
	// Reviews holds the model reviewer's last verdict on every section,
	// passing or not (the review rule lists the failing ones).
	Reviews []Review `json:"reviews,omitempty"`
	// Citations is set for articles written from sources (--source).
	Citations *Citations `json:"citations,omitempty"`
}

// Failed returns the rules that did not pass.
func (r Report) Failed() []Rule {
	var out []Rule
	for _, x := range r.Rules {
		if !x.Pass {
			out = append(out, x)
		}
	}
	return out
}

// Analyze measures doc. It never fails: an empty document gives zero counts
// and failing rules.
func Analyze(doc Document) Report {
	rep := Report{Lang: doc.Lang}
	var sentLens, paraLens []int
	var allSentences []string
	for _, s := range doc.Sections {
		words := 0
		for _, p := range Paragraphs(s.Text) {
			n := len(Words(p))
			paraLens = append(paraLens, n)
			words += n
			allSentences = append(allSentences, Sentences(p)...)
		}
		rep.SectionWords = append(rep.SectionWords, words)
	}
	for _, s := range allSentences {
		sentLens = append(sentLens, len(Words(s)))
	}
	rep.Readability = Score(doc.Lang, allSentences)
	rep.SentenceLengths = distribution(sentLens)
	rep.ParagraphLengths = distribution(paraLens)
	rep.MetaDescriptionLen = len([]rune(doc.Description))
	rep.Rules = append(rep.Rules,
		readabilityRule(rep.Readability),
		sentenceRule(allSentences),
		paragraphRule(doc),
		sectionRule(doc, rep.SectionWords),
		RepeatedNgrams(doc.Sections, RepeatN),
		metaRule(rep.MetaDescriptionLen),
	)
	rep.Rules = append(rep.Rules, keywordRules(doc)...)
	rep.Rules = append(rep.Rules, reviewRule(doc)...)
	rep.Reviews = doc.Reviews
	return rep
}

// Score computes the reading ease of sentences: Flesch for English
// (206.835 − 1.015·words/sentence − 84.6·syllables/word) and Kandel–Moles
// for French (207 − 1.015·words/sentence − 73.6·syllables/word). The score is
// rounded to two decimals so that reports are stable.
func Score(lang string, sentences []string) Readability {
	r := Readability{Formula: "flesch"}
	count := SyllablesEN
	a, b, c := 206.835, 1.015, 84.6
	if lang == "fr" {
		r.Formula = "kandel-moles"
		count = SyllablesFR
		a, b, c = 207, 1.015, 73.6
	}
	for _, s := range sentences {
		ws := Words(s)
		if len(ws) == 0 {
			continue
		}
		r.Sentences++
		for _, w := range ws {
			r.Words++
			if hasLetter(w) {
				r.Syllables += count(w)
			} else {
				r.Syllables++ // a number reads as at least one syllable
			}
		}
	}
	if r.Words == 0 {
		return r
	}
	score := a - b*float64(r.Words)/float64(r.Sentences) - c*float64(r.Syllables)/float64(r.Words)
	r.Score = math.Round(score*100) / 100
	return r
}

func distribution(xs []int) Distribution {
	if len(xs) == 0 {
		return Distribution{}
	}
	s := append([]int(nil), xs...)
	sort.Ints(s)
	sum := 0
	for _, x := range s {
		sum += x
	}
	p90 := s[(len(s)*9+9)/10-1]
	return Distribution{
		Count: len(s), Min: s[0], Max: s[len(s)-1],
		Mean:   math.Round(float64(sum)/float64(len(s))*100) / 100,
		Median: s[(len(s)-1)/2], P90: p90,
	}
}

func readabilityRule(r Readability) Rule {
	return Rule{
		ID: RuleReadability, Pass: r.Words > 0 && r.Score >= MinReadability,
		Message: fmt.Sprintf("%s reading ease %.2f (at least %d wanted)", r.Formula, r.Score, MinReadability),
	}
}

func sentenceRule(sentences []string) Rule {
	r := Rule{ID: RuleSentenceLength, Pass: true,
		Message: fmt.Sprintf("no sentence over %d words", MaxSentenceWords)}
	n := 0
	for _, s := range sentences {
		if len(Words(s)) > MaxSentenceWords {
			n++
			r.Where = appendWhere(r.Where, s)
		}
	}
	if n > 0 {
		r.Pass = false
		r.Message = fmt.Sprintf("%d sentence(s) over %d words", n, MaxSentenceWords)
	}
	return r
}

func paragraphRule(doc Document) Rule {
	r := Rule{ID: RuleParagraphLength, Pass: true,
		Message: fmt.Sprintf("no paragraph over %d words", MaxParagraphWords)}
	n := 0
	for i, s := range doc.Sections {
		for _, p := range Paragraphs(s.Text) {
			if len(Words(p)) > MaxParagraphWords {
				n++
				r.Where = appendWhere(r.Where, sectionName(i, s))
			}
		}
	}
	if n > 0 {
		r.Pass = false
		r.Message = fmt.Sprintf("%d paragraph(s) over %d words", n, MaxParagraphWords)
	}
	return r
}

func sectionRule(doc Document, words []int) Rule {
	r := Rule{ID: RuleSectionLength, Pass: true,
		Message: fmt.Sprintf("no section over %d words without a subheading", MaxSectionWords)}
	for i, s := range doc.Sections {
		if words[i] > MaxSectionWords {
			r.Pass = false
			r.Where = appendWhere(r.Where, fmt.Sprintf("%s (%d words)", sectionName(i, s), words[i]))
		}
	}
	if !r.Pass {
		r.Message = fmt.Sprintf("section(s) over %d words without a subheading", MaxSectionWords)
	}
	return r
}

func metaRule(n int) Rule {
	return Rule{ID: RuleMetaDescription, Pass: n >= MinMetaDescription && n <= MaxMetaDescription,
		Message: fmt.Sprintf("meta description is %d characters (%d–%d wanted)", n, MinMetaDescription, MaxMetaDescription)}
}

// sectionName names a section in rule messages.
func sectionName(i int, s Section) string {
	if s.Level == 0 || s.Heading == "" {
		return fmt.Sprintf("section %d (introduction)", i)
	}
	return fmt.Sprintf("section %d %q", i, s.Heading)
}

func appendWhere(where []string, s string) []string {
	if len(where) >= maxWhere {
		return where
	}
	return append(where, s)
}

// keywordRules checks that each keyword appears in the title, in the
// introduction and in at least one heading (case-insensitive). No keywords,
// no rules.
func keywordRules(doc Document) []Rule {
	var kws []string
	for _, k := range doc.Keywords {
		if k = strings.ToLower(strings.TrimSpace(k)); k != "" {
			kws = append(kws, k)
		}
	}
	if len(kws) == 0 {
		return nil
	}
	intro := ""
	var headings []string
	for _, s := range doc.Sections {
		if s.Level == 0 {
			intro += " " + s.Text
		} else {
			headings = append(headings, s.Heading)
		}
	}
	check := func(id, where string, texts ...string) Rule {
		r := Rule{ID: id, Pass: true, Message: "every keyword appears in the " + where}
		joined := strings.ToLower(strings.Join(texts, "\n"))
		for _, k := range kws {
			if !strings.Contains(joined, k) {
				r.Pass = false
				r.Where = appendWhere(r.Where, k)
			}
		}
		if !r.Pass {
			r.Message = "keyword(s) missing from the " + where
		}
		return r
	}
	return []Rule{
		check(RuleKeywordTitle, "title", doc.Title),
		check(RuleKeywordIntro, "introduction", intro),
		check(RuleKeywordHeadings, "headings", headings...),
	}
}
