package tokenizer

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Kind is the tokenizer algorithm (tokenizer.ggml.model).
type Kind int

// Supported tokenizer kinds.
const (
	KindSPM Kind = iota + 1 // "llama": SentencePiece BPE with byte fallback
	KindBPE                 // "gpt2": byte-level BPE
	KindWPM                 // "bert": WordPiece
)

func (k Kind) String() string {
	switch k {
	case KindSPM:
		return "spm"
	case KindBPE:
		return "bpe"
	case KindWPM:
		return "wpm"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Token types of tokenizer.ggml.token_type (llama.cpp's llama_token_type).
const (
	typeUndefined   = 0
	typeNormal      = 1
	typeUnknown     = 2
	typeControl     = 3
	typeUserDefined = 4
	typeUnused      = 5
	typeByte        = 6
)

// attr is llama.cpp's llama_token_attr.
type attr uint16

const (
	attrUnknown attr = 1 << iota
	attrUnused
	attrNormal
	attrControl
	attrUserDefined
	attrByte
	attrLStrip
	attrRStrip
)

func attrFromType(t int32) attr {
	switch t {
	case typeUnknown:
		return attrUnknown
	case typeUnused:
		return attrUnused
	case typeNormal:
		return attrNormal
	case typeControl:
		return attrControl
	case typeUserDefined:
		return attrUserDefined
	case typeByte:
		return attrByte
	}
	return 0
}

// Limits on vocabularies read from untrusted files.
const (
	// MaxVocabSize bounds the token count: the largest real vocabularies
	// (Gemma 3) have 262,144 tokens; 4Mi leaves room while keeping a hostile
	// file from making us build multi-gigabyte tables.
	MaxVocabSize = 4 << 20
	// maxTokenBytes bounds one token string; real tokens are under 256 bytes
	// (MPT's whitespace tokens are the longest seen, 24 bytes).
	maxTokenBytes = 4096
)

// noToken marks an absent special token (llama.cpp's LLAMA_TOKEN_NULL).
const noToken int32 = -1

// vocab is the raw tokenizer description, as found in GGUF metadata.
type vocab struct {
	model  string // tokenizer.ggml.model
	pre    string // tokenizer.ggml.pre
	name   string // general.name (llama.cpp keys a few attribute fixes on it)
	tokens []string
	scores []float32 // optional (BPE files have none)
	types  []int32   // optional
	merges []string  // BPE only

	// special ids; noToken when absent, unset (= model default) when the key is missing
	bos, eos, eot, eom, unk, sep, pad optionalID

	addBOS, addEOS, addSep, addSpacePrefix optionalBool
}

type optionalID struct {
	set bool
	id  int64
}

type optionalBool struct {
	set bool
	v   bool
}

var errVocab = errors.New("invalid vocabulary")

// ErrInputTooLong: Encode was given more than MaxInputBytes.
var ErrInputTooLong = errors.New("exceeds the limit")

// validate checks the raw arrays before any table is built.
func (v *vocab) validate() error {
	n := len(v.tokens)
	if n == 0 {
		return fmt.Errorf("%w: no tokens", errVocab)
	}
	if n > MaxVocabSize {
		return fmt.Errorf("%w: %d tokens exceeds the limit of %d", errVocab, n, MaxVocabSize)
	}
	if v.scores != nil && len(v.scores) != n {
		return fmt.Errorf("%w: %d scores for %d tokens", errVocab, len(v.scores), n)
	}
	if v.types != nil && len(v.types) != n {
		return fmt.Errorf("%w: %d token types for %d tokens", errVocab, len(v.types), n)
	}
	for i, t := range v.tokens {
		if len(t) > maxTokenBytes {
			return fmt.Errorf("%w: token %d is %d bytes long (limit %d)", errVocab, i, len(t), maxTokenBytes)
		}
	}
	// -1 and 2^32-1 are out of range like any other id: llama.cpp reads
	// these keys as uint32 and, for an id past the vocabulary, warns "bad
	// special token" and keeps its default (EOS 2 or 11), so it never reads
	// them as "no EOS" either; reading them so here would let a file turn
	// off the end of generation (issue 13 item 9). Only the separator keeps
	// the sentinel, whose llama.cpp default is "none" for every family but
	// BERT.
	for _, s := range []struct {
		name     string
		id       optionalID
		sentinel bool
	}{{"bos", v.bos, false}, {"eos", v.eos, false}, {"eot", v.eot, false}, {"eom", v.eom, false},
		{"unknown", v.unk, false}, {"separator", v.sep, true}} {
		if s.id.set && !(s.sentinel && s.id.none()) && (s.id.id < 0 || s.id.id >= int64(n)) {
			return fmt.Errorf("%w: %s token id %d outside the vocabulary of %d tokens", errVocab, s.name, s.id.id, n)
		}
	}
	// llama.cpp throws "cannot find tokenizer merges in model file": without
	// merges a byte-level BPE vocabulary cannot encode, and text whose
	// pieces are not whole tokens would be dropped without a word.
	if v.model == "gpt2" && len(v.merges) == 0 {
		return fmt.Errorf("%w: a gpt2 (BPE) vocabulary needs tokenizer.ggml.merges, and the file has none", errVocab)
	}
	return nil
}

// resolve returns the id of an optional special token: the file's value when
// present and in range, else the model default. llama.cpp ignores an
// out-of-range padding id with a warning; validate rejects the others.
func (o optionalID) resolve(def int32, n int) int32 {
	if !o.set {
		return def
	}
	if o.id < 0 || o.id >= int64(n) {
		if o.none() {
			return noToken
		}
		return def
	}
	return int32(o.id)
}

// none reports the "no such token" sentinels: -1, or its uint32 form as
// written by llama.cpp's converters.
func (o optionalID) none() bool { return o.id == int64(noToken) || o.id == 0xFFFFFFFF }

func (o optionalBool) or(def bool) bool {
	if o.set {
		return o.v
	}
	return def
}

// eogTexts are the token texts llama.cpp treats as end of generation when
// they exist in the vocabulary (llama_vocab::impl::load).
var eogTexts = []string{
	"<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<end_of_turn>", "<|endoftext|>",
	"<|eom_id|>", "<EOT>", "_<EOT>", "<|end_of_text|>", "<end_of_utterance>",
}

// newTokenizer builds the lookup tables from a validated vocab.
func newTokenizer(v *vocab) (*Tokenizer, error) {
	if err := v.validate(); err != nil {
		return nil, err
	}
	n := len(v.tokens)
	t := &Tokenizer{
		tokens:  append([]string(nil), v.tokens...), // never alias the caller's arrays
		scores:  append([]float32(nil), v.scores...),
		attrs:   make([]attr, n),
		toID:    make(map[string]int32, n),
		eog:     make(map[int32]bool),
		byteTok: [256]int32{},
	}
	for i, s := range v.tokens {
		if s == "" {
			// llama.cpp renames empty tokens so that they can never match.
			s = fmt.Sprintf("[EMPTY_%d]", i)
			t.tokens[i] = s
		}
		t.toID[s] = int32(i) // the last duplicate wins, as in llama.cpp
		if len(s) > t.maxTokenLen {
			t.maxTokenLen = len(s)
		}
		t.attrs[i] = attrNormal
		if v.types != nil {
			t.attrs[i] = attrFromType(v.types[i])
		}
	}
	if err := t.setKind(v); err != nil {
		return nil, err
	}
	t.setSpecials(v)
	if v.model == "gpt2" {
		if err := t.loadMerges(v.merges); err != nil {
			return nil, err
		}
	}
	t.buildSpecialCache(v.name)
	t.buildBytes()
	return t, nil
}

// Special-token ids llama.cpp assumes when the GGUF file has no key for them
// (llama_vocab::impl::load): SentencePiece's <unk>/<s>/</s> layout, GPT-2's
// historical id 11 for BPE files, and BERT's [UNK]/[CLS]/[SEP].
const (
	spmDefaultUNK = 0
	spmDefaultBOS = 1
	spmDefaultEOS = 2
	bpeDefaultBOS = 11
	bpeDefaultEOS = 11
	wpmDefaultUNK = 100
	wpmDefaultCLS = 101
	wpmDefaultSEP = 102
)

// setKind applies the per-model defaults of llama.cpp.
func (t *Tokenizer) setKind(v *vocab) error {
	n := len(v.tokens)
	switch v.model {
	case "llama":
		t.kind = KindSPM
		t.bos, t.eos, t.unk, t.sep = v.bos.resolve(spmDefaultBOS, n), v.eos.resolve(spmDefaultEOS, n), v.unk.resolve(spmDefaultUNK, n), v.sep.resolve(noToken, n)
		t.addBOS, t.addEOS, t.addSpacePrefix = v.addBOS.or(true), v.addEOS.or(false), v.addSpacePrefix.or(true)
		if t.scores == nil {
			t.scores = make([]float32, n) // llama.cpp scores missing entries as 0
		}
	case "gpt2":
		t.kind = KindBPE
		pre, err := newPreTokenizer(v.pre)
		if err != nil {
			return fmt.Errorf("%w: %w", errVocab, err)
		}
		t.pre = pre
		t.bos, t.eos, t.unk, t.sep = v.bos.resolve(bpeDefaultBOS, n), v.eos.resolve(bpeDefaultEOS, n), v.unk.resolve(noToken, n), v.sep.resolve(noToken, n)
		t.addBOS, t.addEOS, t.addSpacePrefix = v.addBOS.or(pre.addBOS), v.addEOS.or(false), v.addSpacePrefix.or(false)
		t.ignoreMerges = pre.ignore
	case "bert":
		t.kind = KindWPM
		t.bos, t.eos, t.unk, t.sep = v.bos.resolve(wpmDefaultCLS, n), v.eos.resolve(noToken, n), v.unk.resolve(wpmDefaultUNK, n), v.sep.resolve(wpmDefaultSEP, n)
		t.addBOS, t.addEOS, t.addSpacePrefix = v.addBOS.or(true), v.addEOS.or(false), v.addSpacePrefix.or(false)
		t.addSep = v.addSep.or(true)
	default:
		return fmt.Errorf("%w: unsupported tokenizer model %q", errVocab, v.model)
	}
	// A default that does not fit a (tiny) vocabulary means "no such token".
	for _, id := range []*int32{&t.bos, &t.eos, &t.unk, &t.sep} {
		if *id >= int32(n) {
			*id = noToken
		}
	}
	if t.addBOS && t.bos == noToken {
		return fmt.Errorf("%w: add_bos_token is set but there is no BOS token", errVocab)
	}
	if t.addEOS && t.eos == noToken {
		return fmt.Errorf("%w: add_eos_token is set but there is no EOS token", errVocab)
	}
	return nil
}

// setSpecials records the end-of-generation set the way llama.cpp does: the
// EOS/EOT/EOM ids plus well-known end tokens, which are forced to CONTROL.
func (t *Tokenizer) setSpecials(v *vocab) {
	n := len(t.tokens)
	for _, o := range []optionalID{v.eot, v.eom} {
		if id := o.resolve(noToken, n); id != noToken {
			t.eog[id] = true
		}
	}
	if t.eos != noToken {
		t.eog[t.eos] = true
	}
	for _, s := range eogTexts {
		if id, ok := t.toID[s]; ok {
			t.eog[id] = true
			t.attrs[id] |= attrControl
			t.attrs[id] &^= attrNormal | attrUserDefined
		}
	}
}

// mergeKey identifies an adjacent pair of tokens.
type mergeKey struct{ left, right int32 }

type mergeVal struct{ rank, result int32 }

// loadMerges parses "left right" merges (split at the first space after the
// first byte, like llama.cpp) into ranks. The first occurrence of a pair wins.
func (t *Tokenizer) loadMerges(merges []string) error {
	t.ranks = make(map[mergeKey]mergeVal, len(merges))
	for i, m := range merges {
		sp := -1
		if len(m) > 1 {
			if j := strings.IndexByte(m[1:], ' '); j >= 0 {
				sp = j + 1
			}
		}
		if sp < 0 {
			return fmt.Errorf("%w: merge %d (%q) has no separating space", errVocab, i, m)
		}
		l, r := m[:sp], m[sp+1:]
		li, ok1 := t.toID[l]
		ri, ok2 := t.toID[r]
		res, ok3 := t.toID[l+r]
		if !ok1 || !ok2 || !ok3 {
			return fmt.Errorf("%w: merge %d (%q) refers to a token missing from the vocabulary", errVocab, i, m)
		}
		k := mergeKey{li, ri}
		if _, dup := t.ranks[k]; !dup {
			t.ranks[k] = mergeVal{rank: int32(i), result: res}
		}
	}
	return nil
}

// buildSpecialCache lists the tokens that tokenizer_st_partition looks for
// (control, user-defined and unknown), longest text first, and applies
// llama.cpp's per-model lstrip/rstrip attributes.
func (t *Tokenizer) buildSpecialCache(modelName string) {
	for id, a := range t.attrs {
		if a&(attrControl|attrUserDefined|attrUnknown) != 0 {
			t.special = append(t.special, int32(id))
		}
	}
	sort.SliceStable(t.special, func(i, j int) bool {
		return len(t.tokens[t.special[i]]) > len(t.tokens[t.special[j]])
	})
	name := strings.ToLower(modelName)
	if strings.Contains(name, "phi-3") || strings.Contains(name, "phi3") {
		for _, id := range t.special {
			t.attrs[id] |= attrRStrip
		}
		if id, ok := t.toID["</s>"]; ok {
			t.attrs[id] |= attrRStrip
		}
		for _, s := range []string{"<unk>", "<s>", "<|endoftext|>"} {
			if id, ok := t.toID[s]; ok {
				t.attrs[id] &^= attrRStrip
			}
		}
	}
}
