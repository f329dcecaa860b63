package testmodel

import "fmt"

// Vocabulary bounds: room for the special and byte tokens plus some merged
// pieces, and up to the size of real vocabularies (Qwen2.5's 151,936,
// Gemma's 256,000), which the piece generator below covers.
const (
	minVocab = 300
	maxVocab = 262144
)

// Token types as in llama.cpp's llama_token_type.
const (
	typeNormal  = 1
	typeUnknown = 2
	typeControl = 3
	typeByte    = 6
)

// vocab is a tokenizer description ready to be written as GGUF metadata.
type vocab struct {
	model  string // tokenizer.ggml.model
	pre    string // tokenizer.ggml.pre ("" = none)
	tokens []string
	scores []float32
	types  []int32
	merges []string
	bos    uint32
	eos    uint32
	addBOS bool
}

// spmFirst is the first merged piece of the SPM vocabulary (after <unk>,
// <s>, </s> and the 256 byte tokens).
const spmFirst = 3 + 256

// bpeSpecials are the control tokens at the end of the BPE vocabulary.
var bpeSpecials = []string{"<|endoftext|>", "<|im_start|>", "<|im_end|>"}

func firstPlainToken(arch string) int {
	if arch == "llama" {
		return spmFirst
	}
	return 256
}

func numSpecialTail(arch string) int {
	if arch == "llama" {
		return 0
	}
	return len(bpeSpecials)
}

// pieces generates n distinct strings over the letters, shortest first,
// each optionally preceded by the word-boundary marker. Each letter more
// gives 26 times as many, so it never runs dry.
func pieces(n int, marker string) []string {
	const letters = "etaoinshrdlucmfwypvbgkjqxz"
	out := make([]string, 0, n+1)
	level := []string{""} // the pieces one letter shorter, in order
	for len(out) < n && len(level) > 0 {
		var next []string
		for _, p := range level {
			for _, c := range letters {
				if len(out) >= n {
					return out[:n]
				}
				s := p + string(c)
				next = append(next, s)
				out = append(out, marker+s, s)
			}
		}
		level = next
	}
	return out[:min(n, len(out))]
}

// spmVocab builds a SentencePiece vocabulary of n tokens: <unk>, <s>, </s>,
// the 256 byte-fallback tokens, then pieces with decreasing scores.
func spmVocab(n int) vocab {
	v := vocab{model: "llama", bos: 1, eos: 2, addBOS: true}
	push := func(s string, score float32, t int32) {
		v.tokens, v.scores, v.types = append(v.tokens, s), append(v.scores, score), append(v.types, t)
	}
	push("<unk>", 0, typeUnknown)
	push("<s>", 0, typeControl)
	push("</s>", 0, typeControl)
	for b := range 256 {
		push(fmt.Sprintf("<0x%02X>", b), 0, typeByte)
	}
	for i, p := range pieces(n-spmFirst, "\u2581") {
		push(p, -float32(i), typeNormal)
	}
	return v
}

// byteToUnicode is GPT-2's reversible byte → printable rune mapping.
func byteToUnicode() [256]rune {
	var m [256]rune
	next := rune(256)
	for b := range 256 {
		if (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF) {
			m[b] = rune(b)
		} else {
			m[b] = next
			next++
		}
	}
	return m
}

// bpeVocab builds a GPT-2-style byte-level BPE vocabulary of n tokens: the
// 256 byte tokens, merged pieces (each with its merge rule), then the
// control tokens of bpeSpecials.
func bpeVocab(n int) vocab {
	m := byteToUnicode()
	v := vocab{model: "gpt2", pre: "qwen2"}
	have := map[string]bool{}
	push := func(s string, t int32) {
		v.tokens, v.scores, v.types = append(v.tokens, s), append(v.scores, 0), append(v.types, t)
		have[s] = true
	}
	for b := range 256 {
		push(string(m[b]), typeNormal)
	}
	space := string(m[' '])
	for _, p := range pieces(n-256-len(bpeSpecials), space) {
		// Merge the piece from its longest existing prefix and the rest.
		rs := []rune(p)
		for cut := len(rs) - 1; cut >= 1; cut-- {
			l, r := string(rs[:cut]), string(rs[cut:])
			if have[l] && have[r] {
				v.merges = append(v.merges, l+" "+r)
				push(p, typeNormal)
				break
			}
		}
	}
	for len(v.tokens) < n-len(bpeSpecials) { // pad if some pieces had no merge
		push(fmt.Sprintf("<|pad%d|>", len(v.tokens)), typeControl)
	}
	for _, s := range bpeSpecials {
		push(s, typeControl)
	}
	v.bos = uint32(n - 3) // <|endoftext|>, not added (add_bos_token false)
	v.eos = uint32(n - 1) // <|im_end|>
	return v
}
