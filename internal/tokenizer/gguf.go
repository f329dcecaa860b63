package tokenizer

import (
	"errors"
	"fmt"

	"github.com/plumewriter/plume/internal/gguf"
)

// GGUF metadata keys read by FromGGUF.
const (
	keyModel       = "tokenizer.ggml.model"
	keyPre         = "tokenizer.ggml.pre"
	keyTokens      = "tokenizer.ggml.tokens"
	keyScores      = "tokenizer.ggml.scores"
	keyTypes       = "tokenizer.ggml.token_type"
	keyMerges      = "tokenizer.ggml.merges"
	keyAddBOS      = "tokenizer.ggml.add_bos_token"
	keyAddEOS      = "tokenizer.ggml.add_eos_token"
	keyAddSep      = "tokenizer.ggml.add_sep_token"
	keySpacePrefix = "tokenizer.ggml.add_space_prefix"
	keyName        = "general.name"
)

// FromGGUF builds the tokenizer described by a GGUF file's tokenizer.ggml.*
// metadata. It validates the vocabulary: tokens, scores and types must agree
// in length, special ids must be inside the vocabulary and merges must refer
// to existing tokens.
func FromGGUF(f *gguf.File) (*Tokenizer, error) {
	v, err := vocabFromGGUF(f)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	t, err := newTokenizer(v)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	return t, nil
}

func vocabFromGGUF(f *gguf.File) (*vocab, error) {
	v := &vocab{}
	var err error
	if v.model, err = f.String(keyModel); err != nil {
		return nil, err
	}
	if v.pre, err = optional(f.String(keyPre)); err != nil {
		return nil, err
	}
	if v.name, err = optional(f.String(keyName)); err != nil {
		return nil, err
	}
	if v.tokens, err = f.Strings(keyTokens); err != nil {
		return nil, err
	}
	if v.scores, err = optional(f.Float32s(keyScores)); err != nil {
		return nil, err
	}
	if v.types, err = optional(f.Int32s(keyTypes)); err != nil {
		return nil, err
	}
	if v.merges, err = optional(f.Strings(keyMerges)); err != nil {
		return nil, err
	}
	ids := []struct {
		key string
		dst *optionalID
	}{
		{"tokenizer.ggml.bos_token_id", &v.bos}, {"tokenizer.ggml.eos_token_id", &v.eos},
		{"tokenizer.ggml.eot_token_id", &v.eot}, {"tokenizer.ggml.eom_token_id", &v.eom},
		{"tokenizer.ggml.unknown_token_id", &v.unk}, {"tokenizer.ggml.seperator_token_id", &v.sep},
		{"tokenizer.ggml.padding_token_id", &v.pad},
	}
	for _, k := range ids {
		if _, ok := f.Lookup(k.key); !ok {
			continue
		}
		id, err := f.Int(k.key)
		if err != nil {
			return nil, err
		}
		*k.dst = optionalID{set: true, id: id}
	}
	bools := []struct {
		key string
		dst *optionalBool
	}{{keyAddBOS, &v.addBOS}, {keyAddEOS, &v.addEOS}, {keyAddSep, &v.addSep}, {keySpacePrefix, &v.addSpacePrefix}}
	for _, k := range bools {
		if _, ok := f.Lookup(k.key); !ok {
			continue
		}
		b, err := f.Bool(k.key)
		if err != nil {
			return nil, err
		}
		*k.dst = optionalBool{set: true, v: b}
	}
	return v, nil
}

// optional turns a missing key into the zero value.
func optional[T any](v T, err error) (T, error) {
	if errors.Is(err, gguf.ErrNotFound) {
		var zero T
		return zero, nil
	}
	return v, err
}
