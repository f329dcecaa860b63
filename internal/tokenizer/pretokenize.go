package tokenizer

import (
	"fmt"
	"strings"
)

// preText is the input of the byte-level BPE pre-tokenizers: the code points of
// one text fragment and their flags. Splitters refine a list of fragment
// lengths (in code points), exactly like llama.cpp's unicode_regex_split feeds
// each regex the offsets produced by the previous one.
type preText struct {
	cpts  []rune
	flags []cptFlags
}

// splitter is one step of a pre-tokenizer: it splits every fragment of offs.
type splitter func(t *preText, offs []int) []int

// preTokenizer is the ordered list of splitters for a tokenizer.ggml.pre value.
type preTokenizer struct {
	name   string
	steps  []splitter
	ignore bool // ignore_merges: a word that is already a token is kept whole
	addBOS bool // llama.cpp turns add_bos on for these types (the GGUF key still wins)
}

// Pre-tokenizer names (tokenizer.ggml.pre) grouped by the regex set llama.cpp
// uses for them in llm_tokenizer_bpe's constructor.
var (
	preLlama3    = []string{"llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2"}
	preLlama3Reg = []string{"dbrx", "smaug-bpe", "chatglm-bpe", "glm4"}
	preQwen2     = []string{"qwen2", "deepseek-r1-qwen", "megrez", "stablelm2", "hunyuan"}
	preStarcoder = []string{"starcoder", "refact", "command-r", "smollm", "codeshell", "exaone", "minerva-7b"}
	preGPT2      = []string{"gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v1-en", "jina-v2-es",
		"jina-v2-de", "jina-v2-code", "roberta-bpe", "mpt", "olmo", "jais", "trillion"}
	preBloom = []string{"poro-chat", "bloom", "gpt3-finnish"}
)

// newPreTokenizer returns the pre-tokenizer llama.cpp selects for name; an
// empty name means "default" (llama.cpp warns and does the same).
func newPreTokenizer(name string) (*preTokenizer, error) {
	in := func(list []string) bool {
		for _, s := range list {
			if s == name {
				return true
			}
		}
		return false
	}
	p := &preTokenizer{name: name}
	switch {
	case name == "" || name == "default":
		// [\p{P}\$\+<=>\^~\|]+ , the GPT-2 regex, \p{N}+ , [0-9][0-9][0-9]
		p.steps = []splitter{runSplitter(false, isDefaultPunct), splitGPT2, runSplitter(false, isCollapsedNumber), splitDigits3}
	case in(preLlama3):
		p.steps, p.ignore, p.addBOS = []splitter{llama3Splitter(3, false)}, true, true
	case name == "tekken":
		p.steps, p.ignore, p.addBOS = []splitter{o200kSplitter(false, 1)}, true, true
	case name == "gpt-4o" || name == "llama4":
		p.steps = []splitter{o200kSplitter(true, 3)}
	case in(preLlama3Reg):
		p.steps = []splitter{llama3Splitter(3, false)}
	case in(preQwen2):
		// llama.cpp runs this regex through std::regex on the category-collapsed
		// text; it splits exactly like the llama3 code with single digits.
		p.steps = []splitter{llama3Splitter(1, false)}
	case name == "qwen35":
		// Qwen 3.5: the Qwen2 regex with combining marks (\p{M}) joined to
		// letters and kept out of punctuation runs.
		p.steps = []splitter{llama3Splitter(1, true)}
	case in(preStarcoder):
		p.steps = []splitter{singleSplitter(isCollapsedNumber), splitGPT2}
	case in(preGPT2):
		p.steps = []splitter{splitGPT2}
	case name == "falcon":
		p.steps = []splitter{runSplitter(false, isFalconPunct), splitGPT2, splitDigits3}
	case name == "deepseek-coder":
		p.steps = []splitter{singleSplitter(isCRLF), runSplitter(true, isCollapsedLetter),
			runSplitter(true, isCollapsedPunct), runSplitter(false, isDeepseekCJK), singleSplitter(isCollapsedNumber)}
	case in(preBloom):
		p.steps = []splitter{splitBloom}
	case name == "viking":
		p.steps = []splitter{splitBloom, singleSplitter(isCollapsedNumber)}
	default:
		return nil, fmt.Errorf("unknown pre-tokenizer type %q", name)
	}
	return p, nil
}

// split runs every step over the text and returns the words.
func (p *preTokenizer) split(text string) []string {
	cpts := codepoints(text)
	t := &preText{cpts: cpts, flags: make([]cptFlags, len(cpts))}
	for i, r := range cpts {
		t.flags[i] = flagsOf(r)
	}
	offs := []int{len(cpts)}
	for _, step := range p.steps {
		offs = step(t, offs)
	}
	words := make([]string, 0, len(offs))
	var buf []byte
	start := 0
	for _, n := range offs {
		buf = buf[:0]
		for _, r := range cpts[start : start+n] {
			buf = appendCpt(buf, r)
		}
		words = append(words, string(buf))
		start += n
	}
	return words
}

// fragment gives a splitter the code points of one fragment [lo, hi).
type fragment struct {
	t      *preText
	lo, hi int
	out    []int
	prev   int // end of the last emitted piece
}

func (f *fragment) cpt(i int) rune {
	if i >= f.lo && i < f.hi {
		return f.t.cpts[i]
	}
	return -1
}

func (f *fragment) flags(i int) cptFlags {
	if i >= f.lo && i < f.hi {
		return f.t.flags[i]
	}
	return 0
}

// emit closes a piece ending at end and returns its length.
func (f *fragment) emit(end int) int {
	n := end - f.prev
	if n > 0 {
		f.out = append(f.out, n)
	}
	f.prev = end
	return n
}

// forEachFragment calls fn for each fragment of offs, collecting the pieces.
func forEachFragment(t *preText, offs []int, fn func(f *fragment)) []int {
	f := &fragment{t: t, out: make([]int, 0, len(offs))}
	start := 0
	for _, n := range offs {
		f.lo, f.hi, f.prev = start, start+n, start
		fn(f)
		start += n
	}
	return f.out
}

// contraction returns the length (2 or 3) of 's 't 're 've 'm 'll 'd at pos,
// or 0. With fold the letters are matched case-insensitively.
func (f *fragment) contraction(pos int, fold bool) int {
	if f.cpt(pos) != '\'' || pos+1 >= f.hi {
		return 0
	}
	low := func(r rune) rune {
		if fold {
			return toLower(r)
		}
		return r
	}
	c1 := low(f.cpt(pos + 1))
	if c1 == 's' || c1 == 't' || c1 == 'm' || c1 == 'd' {
		return 2
	}
	if pos+2 < f.hi {
		c2 := low(f.cpt(pos + 2))
		if (c1 == 'r' && c2 == 'e') || (c1 == 'v' && c2 == 'e') || (c1 == 'l' && c2 == 'l') {
			return 3
		}
	}
	return 0
}

// whitespaceRun handles \s+(?!\S)|\s+ at pos: it returns the new position, or
// pos when there is no whitespace.
func (f *fragment) whitespaceRun(pos int) int {
	n := 0
	for f.flags(pos + n).isWhitespace() {
		n++
	}
	if n > 1 && f.cpt(pos+n) != -1 {
		return pos + n - 1
	}
	return pos + n
}

// newlineOrWhitespace is the tail the llama3 and o200k splitters share:
// \s*[\r\n]+ (whitespace up to its last newline), else \s+(?!\S)|\s+, else
// one code point. It emits the piece and returns the new position.
func (f *fragment) newlineOrWhitespace(pos int) int {
	n, lastNL := 0, 0
	for f.flags(pos + n).isWhitespace() {
		if c2 := f.cpt(pos + n); c2 == '\r' || c2 == '\n' {
			lastNL = pos + n + 1
		}
		n++
	}
	if lastNL > 0 {
		f.emit(lastNL)
		return lastNL
	}
	if end := f.whitespaceRun(pos); end > pos {
		f.emit(end)
		return end
	}
	f.emit(pos + 1)
	return pos + 1
}

// isOther is [^\s\p{L}\p{N}] inside the fragment.
func isOther(fl cptFlags) bool {
	return fl&(flagWhitespace|flagLetter|flagNumber) == 0 && fl != 0
}

// splitGPT2 is llama.cpp's unicode_regex_split_custom_gpt2 for
// 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
func splitGPT2(t *preText, offs []int) []int {
	return forEachFragment(t, offs, func(f *fragment) {
		for pos := f.lo; pos < f.hi; {
			if n := f.contraction(pos, false); n > 0 {
				pos += f.emit(pos + n)
				continue
			}
			c := f.cpt(pos)
			fl2 := f.flags(pos)
			if c == ' ' {
				fl2 = f.flags(pos + 1)
			}
			var class func(cptFlags) bool
			switch {
			case fl2.isLetter():
				class = cptFlags.isLetter
			case fl2.isNumber():
				class = cptFlags.isNumber
			case isOther(fl2):
				class = isOther
			}
			if class != nil {
				if c == ' ' {
					pos++
				}
				for class(f.flags(pos)) {
					pos++
				}
				f.emit(pos)
				continue
			}
			if end := f.whitespaceRun(pos); end > pos {
				pos = end
				f.emit(pos)
				continue
			}
			pos++
			f.emit(pos)
		}
	})
}

// llama3Splitter is llama.cpp's unicode_regex_split_custom_llama3 for
// (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
// with digits = 3; digits = 1 gives Qwen2's \p{N} variant, and marks adds
// Qwen 3.5's [\p{L}\p{M}] words.
func llama3Splitter(digits int, marks bool) splitter {
	letter := flagLetter
	if marks {
		letter |= flagMark
	}
	return func(t *preText, offs []int) []int {
		return forEachFragment(t, offs, func(f *fragment) {
			for pos := f.lo; pos < f.hi; {
				pos = f.llama3Step(pos, digits, letter)
			}
		})
	}
}

// llama3Step matches one piece at pos; letter is the set of flags that make
// up words.
func (f *fragment) llama3Step(pos, digits int, letter cptFlags) int {
	if n := f.contraction(pos, true); n > 0 {
		return pos + f.emit(pos+n)
	}
	c, fl := f.cpt(pos), f.flags(pos)
	isWord := func(i int) bool { return f.flags(i)&letter != 0 }
	other := func(fl cptFlags) bool { return fl&(flagWhitespace|flagNumber|letter) == 0 && fl != 0 }
	if c != '\r' && c != '\n' && !fl.isNumber() && (isWord(pos) || isWord(pos+1)) {
		pos++
		for isWord(pos) {
			pos++
		}
		f.emit(pos)
		return pos
	}
	if fl.isNumber() {
		ini := pos
		for f.flags(pos).isNumber() {
			pos++
			if pos-ini >= digits {
				f.emit(pos)
				ini = pos
			}
		}
		f.emit(pos)
		return pos
	}
	fl2 := fl
	if c == ' ' {
		fl2 = f.flags(pos + 1)
	}
	if fl2&(flagWhitespace|flagNumber|letter) == 0 && fl != 0 {
		if c == ' ' {
			pos++
		}
		for other(f.flags(pos)) {
			pos++
		}
		for c2 := f.cpt(pos); c2 == '\r' || c2 == '\n'; c2 = f.cpt(pos) {
			pos++
		}
		f.emit(pos)
		return pos
	}
	return f.newlineOrWhitespace(pos)
}

// Character classes of the std::regex fallbacks. llama.cpp matches \p{X} on a
// "collapsed" text where every non-ASCII code point is one byte standing for
// its category (whitespace first), so \p{P} is ASCII punctuation plus the
// non-ASCII, non-whitespace code points of category P.
func collapsedIs(r rune, fl cptFlags, cat cptFlags, ascii func(rune) bool) bool {
	if r < 128 {
		return ascii(r)
	}
	return fl&flagWhitespace == 0 && fl&cat != 0
}

func isCollapsedNumber(r rune, fl cptFlags) bool {
	return collapsedIs(r, fl, flagNumber, func(r rune) bool { return r >= '0' && r <= '9' })
}

func isCollapsedLetter(r rune, fl cptFlags) bool {
	return collapsedIs(r, fl, flagLetter, func(r rune) bool { return (r|0x20) >= 'a' && (r|0x20) <= 'z' })
}

// asciiPunctP is llama.cpp's ASCII stand-in for \p{P}: !-#%-*,-/:-;?-@[-]_{}
func asciiPunctP(r rune) bool {
	return r >= 0x21 && r <= 0x23 || r >= 0x25 && r <= 0x2A || r >= 0x2C && r <= 0x2F ||
		r == 0x3A || r == 0x3B || r == 0x3F || r == 0x40 || r >= 0x5B && r <= 0x5D || r == 0x5F || r == 0x7B || r == 0x7D
}

func isCollapsedPunct(r rune, fl cptFlags) bool { return collapsedIs(r, fl, flagPunct, asciiPunctP) }

// isDefaultPunct is [\p{P}\$\+<=>\^~\|] and isFalconPunct adds the backtick.
func isDefaultPunct(r rune, fl cptFlags) bool {
	return isCollapsedPunct(r, fl) || strings.ContainsRune("$+<=>^~|", r)
}

func isFalconPunct(r rune, fl cptFlags) bool { return isDefaultPunct(r, fl) || r == '`' }

func isCRLF(r rune, _ cptFlags) bool { return r == '\r' || r == '\n' }

// isDeepseekCJK is [一-龥ࠀ-一가-퟿] on the text where llama.cpp first turned
// non-ASCII whitespace (such as U+3000) into \v.
func isDeepseekCJK(r rune, fl cptFlags) bool {
	if fl.isWhitespace() {
		return false
	}
	return r >= 0x4E00 && r <= 0x9FA5 || r >= 0x0800 && r <= 0x4E00 || r >= 0xAC00 && r <= 0xD7FF
}

// isRegexSpace is \s of std::regex on the collapsed text: ASCII whitespace and
// every non-ASCII whitespace code point (collapsed to \v).
func isRegexSpace(r rune, fl cptFlags) bool { return fl.isWhitespace() }

// runSplitter implements `class+` (and `\s?class+` with optWS) as a
// std::regex search loop: matches are the leftmost runs, the text between
// matches stays as its own piece.
func runSplitter(optWS bool, class func(rune, cptFlags) bool) splitter {
	if optWS {
		return leadRunSplitter(isRegexSpace, class)
	}
	return leadRunSplitter(nil, class)
}

// leadRunSplitter implements `lead?class+` (`class+` when lead is nil) as
// runSplitter does.
func leadRunSplitter(lead, class func(rune, cptFlags) bool) splitter {
	return func(t *preText, offs []int) []int {
		return forEachFragment(t, offs, func(f *fragment) {
			in := func(i int) bool { return i < f.hi && class(f.t.cpts[i], f.t.flags[i]) }
			for pos := f.lo; pos < f.hi; {
				start := pos
				if lead != nil && lead(f.t.cpts[pos], f.t.flags[pos]) && in(pos+1) {
					pos++
				} else if !in(pos) {
					pos++
					continue
				}
				for in(pos) {
					pos++
				}
				f.emit(start)
				f.emit(pos)
			}
			f.emit(f.hi)
		})
	}
}

// singleSplitter implements a one-character class: every matching code point
// is a piece of its own.
func singleSplitter(class func(rune, cptFlags) bool) splitter {
	return func(t *preText, offs []int) []int {
		return forEachFragment(t, offs, func(f *fragment) {
			for pos := f.lo; pos < f.hi; pos++ {
				if class(f.t.cpts[pos], f.t.flags[pos]) {
					f.emit(pos)
					f.emit(pos + 1)
				}
			}
			f.emit(f.hi)
		})
	}
}

// splitDigits3 is [0-9][0-9][0-9]: leftmost non-overlapping groups of three
// ASCII digits.
func splitDigits3(t *preText, offs []int) []int {
	return forEachFragment(t, offs, func(f *fragment) {
		digit := func(i int) bool { c := f.cpt(i); return c >= '0' && c <= '9' }
		for pos := f.lo; pos < f.hi; {
			if digit(pos) && digit(pos+1) && digit(pos+2) {
				f.emit(pos)
				f.emit(pos + 3)
				pos += 3
				continue
			}
			pos++
		}
		f.emit(f.hi)
	})
}

// splitBloom is ` ?[^(\s|.,!?…。，、।۔،)]+` (std::wregex on code points).
var splitBloom = leadRunSplitter(
	func(r rune, _ cptFlags) bool { return r == ' ' },
	func(r rune, fl cptFlags) bool {
		return !fl.isWhitespace() && !strings.ContainsRune("(|.,!?…。，、।۔،)", r)
	})
