package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/plumewriter/plume/internal/chat"
	"github.com/plumewriter/plume/internal/gguf"
	"github.com/plumewriter/plume/internal/hub"
	"github.com/plumewriter/plume/internal/kernels"
	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/model"
	"github.com/plumewriter/plume/internal/tensor"
	"github.com/plumewriter/plume/internal/tokenizer"
)

// DefaultContextLength caps the context when Options.ContextLength is 0: a
// float32 KV cache of 4096 positions costs 128 MB for a 1B Llama and 0.5 GB
// for an 8B one, while articles are written section by section and rarely
// need more.
const DefaultContextLength = 4096

// MaxContextLength bounds Options.ContextLength (1M positions), beyond any
// KV cache that fits in a laptop's memory.
const MaxContextLength = 1 << 20

// EngineVersion identifies the engine's arithmetic in provenance records; it
// changes whenever outputs for a given model and seed may change.
const EngineVersion = "plume-engine 0.1"

// ErrOptions reports invalid load options.
var ErrOptions = errors.New("invalid engine options")

// Options configure Load.
type Options struct {
	// Threads for the matrix kernels; 0 means one per physical core
	// (kernels.DefaultThreads).
	Threads int
	// ContextLength is the KV cache size in positions; 0 means
	// min(model's training context, DefaultContextLength). It is capped at
	// the training context.
	ContextLength int
	// KVType is the KV cache element type: F32 (the zero value, what the
	// parity goldens use) or F16 (llama.cpp's default: half the memory,
	// logprobs move by up to ~1e-3).
	KVType tensor.Type
	// NoPromptCache makes every call evaluate its whole prompt, reusing
	// nothing from the KV cache (plume write --prompt-cache off): the
	// output is the same bits either way, only slower, which is what the
	// switch is there to show.
	NoPromptCache bool
	// PromptCacheBytes bounds the memory of a session's prompt cache (the
	// sequences kept besides the live one); 0 means the size of the
	// session's own KV cache (so that the cache at most doubles it) or a
	// quarter of the available memory, whichever is less.
	PromptCacheBytes int64
	// Source is the provenance known to the caller (from the hub). Empty
	// fields are filled from the file: Ref and Path from path, SHA256 by
	// hashing the file on the first Info call, License from general.license.
	Source Source
	// Memory is the machine's memory the checks use; the zero value means
	// this machine's (SystemMemory). Tests and the server set it.
	Memory Memory
	// Weights is the layout of the weights, where the memory allows it
	// (see OpenWeights); "" is WeightsHybrid. WeightsPrivate decodes
	// fastest for the slowest load, for processes that decode many tokens
	// (plume serve, plume write).
	Weights WeightsLayout
}

// Source is what the model store knows about a file.
type Source struct {
	Ref, SHA256, Commit, License string
}

// Model is a loaded model. Its methods are safe for concurrent use; each
// Session is for one goroutine at a time.
type Model struct {
	path   string
	file   *gguf.File
	model  *model.Model
	tok    *tokenizer.Tokenizer
	pool   *kernels.Pool
	ctxLen int
	kvType tensor.Type
	mem    Memory // what the memory check saw at load (ContextLimit)
	fixed  bool   // the caller chose the context length (Options.ContextLength)

	noPromptCache    bool
	promptCacheBytes int64

	shaOnce sync.Once
	src     Source

	chatOnce sync.Once
	chat     chat.Choice
}

// Load opens the GGUF file at path, validates its architecture,
// hyperparameters, tensors and vocabulary, and starts the worker pool.
func Load(path string, opts Options) (*Model, error) {
	return loadContext(context.Background(), path, opts)
}

// loadContext is Load; ctx ends the copy of Options.Weights early.
func loadContext(ctx context.Context, path string, opts Options) (*Model, error) {
	if err := checkOptions(opts); err != nil {
		return nil, err
	}
	if opts.PromptCacheBytes < 0 {
		return nil, fmt.Errorf("%w: prompt cache of %d bytes", ErrOptions, opts.PromptCacheBytes)
	}
	opts.Memory = opts.Memory.orSystem()
	f, _, err := OpenWeights(ctx, path, opts.Memory, opts.Weights)
	if err != nil {
		return nil, fmt.Errorf("load: %w", err) // gguf.Open names the path
	}
	// A copy (private or hybrid) takes its size from what the KV cache can have.
	opts.Memory.Available -= min(opts.Memory.Available, uint64(f.CopiedBytes()))
	m, err := load(f, path, opts)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	return m, nil
}

// checkOptions validates the options of Load and Check.
func checkOptions(opts Options) error {
	if opts.Threads < 0 || opts.Threads > kernels.MaxThreads {
		return fmt.Errorf("%w: threads %d, want 0..%d", ErrOptions, opts.Threads, kernels.MaxThreads)
	}
	if opts.ContextLength < 0 || opts.ContextLength > MaxContextLength {
		return fmt.Errorf("%w: context length %d, want 0..%d", ErrOptions, opts.ContextLength, MaxContextLength)
	}
	if opts.KVType != tensor.F32 && opts.KVType != tensor.F16 {
		return fmt.Errorf("%w: KV cache type %s is not supported (F32 or F16)", ErrOptions, opts.KVType)
	}
	return nil
}

// load finishes loadContext on the opened file; opts.Memory is already
// the machine's when the caller left it zero.
func load(f *gguf.File, path string, opts Options) (*Model, error) {
	mm, tok, ctxLen, err := prepare(f, opts)
	if err != nil {
		return nil, err
	}
	// The loader has laid the weights out (model.Loader.Matrix): from here
	// on they are read-only.
	if err := f.Seal(); err != nil {
		return nil, err
	}
	src := opts.Source
	if src.Ref == "" {
		src.Ref = path
	}
	if src.License == "" {
		src.License, _ = f.String("general.license")
	}
	return &Model{path: path, file: f, model: mm, tok: tok, pool: kernels.NewPool(opts.Threads),
		ctxLen: ctxLen, kvType: opts.KVType, mem: opts.Memory, fixed: opts.ContextLength > 0, src: src,
		noPromptCache: opts.NoPromptCache, promptCacheBytes: opts.PromptCacheBytes}, nil
}

// prepare makes every check Load makes before it starts workers: the
// architecture and tensor shapes, the tokenizer and its agreement with the
// embeddings, the context length and the memory that context needs with
// the KV type asked for. Check runs exactly this, so "can run" and "loads"
// never disagree.
func prepare(f *gguf.File, opts Options) (*model.Model, *tokenizer.Tokenizer, int, error) {
	mm, err := model.New(f)
	if err != nil {
		return nil, nil, 0, err
	}
	tok, err := tokenizer.FromGGUF(f)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("tokenizer: %w", err)
	}
	if tok.VocabSize() != mm.Config.Vocab {
		return nil, nil, 0, fmt.Errorf("%w: tokenizer has %d tokens, token_embd.weight %d rows", model.ErrConfig, tok.VocabSize(), mm.Config.Vocab)
	}
	ctxLen := min(mm.Config.ContextLength, DefaultContextLength)
	if opts.ContextLength > 0 {
		ctxLen = min(opts.ContextLength, mm.Config.ContextLength)
	}
	if err := checkMemory(opts.Memory, f.Size(), mm.Config, ctxLen, opts.KVType); err != nil {
		return nil, nil, 0, err
	}
	return mm, tok, ctxLen, nil
}

// Tokenizer returns the model's tokenizer.
func (m *Model) Tokenizer() *tokenizer.Tokenizer { return m.tok }

// Config returns the model's hyperparameters.
func (m *Model) Config() model.Config { return m.model.Config }

// ContextLength returns the KV cache size of new sessions.
func (m *Model) ContextLength() int { return m.ctxLen }

// Threads returns the number of kernel worker threads.
func (m *Model) Threads() int { return m.pool.Threads() }

// ChatTemplate returns the GGUF's tokenizer.chat_template ("" if absent).
func (m *Model) ChatTemplate() string {
	s, _ := m.file.String("tokenizer.chat_template")
	return s
}

// chatTemplate is the template Prompt renders messages with, chosen (and
// compiled) on first use: the GGUF's own, or the builtin of its family when
// it has none or the sandbox cannot run it (see chat.Select).
func (m *Model) chatTemplate() chat.Choice {
	m.chatOnce.Do(func() {
		m.chat = chat.Select(m.ChatTemplate(), m.model.Config.Arch, m.tok.PreTokenizer())
	})
	return m.chat
}

// Warnings lists what the user should know about the model before trusting
// its output: today, a GGUF chat template replaced by a builtin one (with
// the reason). Callers print them and record them with the article.
func (m *Model) Warnings() []string {
	if w := m.chatTemplate().Warning(); w != "" {
		return []string{w}
	}
	return nil
}

// Info describes the model for provenance. The file's SHA-256 is computed on
// the first call (reading the whole file once).
func (m *Model) Info() llm.ModelInfo {
	m.shaOnce.Do(func() {
		if m.src.SHA256 == "" {
			m.src.SHA256, _ = hub.FileSHA256(m.path)
		}
	})
	tmplSHA, tmplSource := m.chatProvenance()
	return llm.ModelInfo{
		ChatTemplateSHA256: tmplSHA, ChatTemplateSource: tmplSource,
		Ref: m.src.Ref, Path: m.path, SHA256: m.src.SHA256, Commit: m.src.Commit, License: m.src.License,
		Architecture: m.model.Config.Arch, ContextLength: m.ctxLen, TrainedContextLength: m.model.Config.ContextLength,
		Backend: "plume", EngineVersion: EngineVersion + " (" + kernels.Path() + ")",
	}
}

// Close stops the worker pool and unmaps the file. Sessions must not be
// used afterwards.
func (m *Model) Close() error {
	m.pool.Close()
	return m.file.Close()
}
