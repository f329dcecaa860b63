package retrieve

import (
	"strings"
)

// DefaultPassageTokens is the default passage budget: about one long
// paragraph (150-200 words), small enough that a section prompt holds
// several passages from different sources, large enough that a passage
// carries a whole claim with its context.
const DefaultPassageTokens = 220

// Doc is one source as the splitter sees it.
type Doc struct {
	Title string
	Text  string // "#" heading lines, paragraphs separated by blank lines
}

// Passage is one retrievable piece of a source.
type Passage struct {
	// N is the passage's number over all sources, from 1: the [n] the
	// model cites. It depends only on the sources and the budget.
	N int `json:"n"`
	// Source is the index of its source in the list given to Split.
	Source  int    `json:"source"`
	Heading string `json:"heading,omitempty"` // the nearest heading above it
	Text    string `json:"text"`
	Tokens  int    `json:"tokens"`
}

// Counter counts tokens (the model's tokenizer, or an estimate).
type Counter func(string) int

// EstimateTokens is a Counter for when no tokenizer is at hand: about four
// bytes per token, the usual ratio of BPE vocabularies on English and
// French prose.
func EstimateTokens(s string) int { return (len(s) + 3) / 4 }

// Split cuts docs into passages of at most budget tokens (a single sentence
// longer than the budget stays whole).
func Split(docs []Doc, budget int, count Counter) []Passage {
	if budget <= 0 {
		budget = DefaultPassageTokens
	}
	if count == nil {
		count = EstimateTokens
	}
	var out []Passage
	for si, d := range docs {
		sp := splitter{src: si, budget: budget, count: count, out: &out}
		for block := range strings.SplitSeq(d.Text, "\n\n") {
			block = strings.TrimSpace(block)
			if block == "" {
				continue
			}
			if h, ok := heading(block); ok {
				sp.flush()
				sp.heading = h
				continue
			}
			sp.add(block)
		}
		sp.flush()
	}
	return out
}

// heading reports a one-line "#" block and its text.
func heading(block string) (string, bool) {
	if !strings.HasPrefix(block, "#") || strings.Contains(block, "\n") {
		return "", false
	}
	t := strings.TrimLeft(block, "#")
	if t == "" || t[0] != ' ' {
		return "", false
	}
	return strings.TrimSpace(t), true
}

type splitter struct {
	src     int
	budget  int
	count   Counter
	out     *[]Passage
	heading string
	paras   []string
	tokens  int
}

func (s *splitter) add(para string) {
	n := s.count(para)
	if n > s.budget {
		for _, piece := range pack(sentences(para), s.budget, s.count) {
			s.add1(piece, s.count(piece))
		}
		return
	}
	s.add1(para, n)
}

func (s *splitter) add1(para string, n int) {
	if len(s.paras) > 0 && s.tokens+n > s.budget {
		s.flush()
	}
	s.paras = append(s.paras, para)
	s.tokens += n
}

func (s *splitter) flush() {
	if len(s.paras) == 0 {
		return
	}
	text := strings.Join(s.paras, "\n\n")
	*s.out = append(*s.out, Passage{
		N: len(*s.out) + 1, Source: s.src, Heading: s.heading, Text: text, Tokens: s.count(text),
	})
	s.paras, s.tokens = nil, 0
}

// pack joins sentences into pieces of at most budget tokens.
func pack(sents []string, budget int, count Counter) []string {
	var out []string
	cur := ""
	for _, st := range sents {
		if cur != "" && count(cur+" "+st) > budget {
			out = append(out, cur)
			cur = ""
		}
		if cur == "" {
			cur = st
		} else {
			cur += " " + st
		}
	}
	if cur != "" {
		out = append(out, cur)
	}
	return out
}

// sentences cuts text after '.', '!', '?' or '…' followed by white space.
func sentences(text string) []string {
	var out []string
	start := 0
	rs := []rune(text)
	for i := 0; i < len(rs)-1; i++ {
		switch rs[i] {
		case '.', '!', '?', '…':
			if rs[i+1] == ' ' || rs[i+1] == '\n' {
				if s := strings.TrimSpace(string(rs[start : i+1])); s != "" {
					out = append(out, s)
				}
				start = i + 1
			}
		}
	}
	if s := strings.TrimSpace(string(rs[start:])); s != "" {
		out = append(out, s)
	}
	return out
}
