package engine_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/plumewriter/plume/internal/engine"
	"github.com/plumewriter/plume/internal/tensor"
	"github.com/plumewriter/plume/internal/testmodel"
)

// Load a model, then score a few tokens and generate greedily.
func ExampleLoad() {
	m, done, err := tinyModel("llama")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	s, _ := m.NewSession()
	st, err := s.Generate(context.Background(), []int32{1, 300 - 10, 280}, engine.GenerateOptions{MaxTokens: 5}, nil)
	fmt.Println(m.Config().Arch, m.ContextLength(), st.Generated, st.FinishReason, err)
	// Output: llama 256 5 length <nil>
}

// A session's prompt cache: a second prompt that shares the first one's
// head evaluates only its own tokens, and the first prompt, asked again,
// is found in the cache and evaluates only its last token.
func ExampleSession_Generate_promptCache() {
	m, done, err := tinyModel("qwen2")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	s, _ := m.NewSession()
	head := []int32{10, 11, 12, 13, 14, 15, 16, 17}
	a := append(append([]int32(nil), head...), 20, 21, 22)
	b := append(append([]int32(nil), head...), 30, 31)
	for _, prompt := range [][]int32{a, b, a} {
		st, _ := s.Generate(context.Background(), prompt, engine.GenerateOptions{MaxTokens: 4}, nil)
		fmt.Printf("%d tokens: %d evaluated, %d reused\n", len(prompt), st.PromptTokens, st.PromptReused)
	}
	fmt.Println("cached sequences:", s.PromptCache().Len())
	// Output:
	// 11 tokens: 11 evaluated, 0 reused
	// 10 tokens: 2 evaluated, 8 reused
	// 11 tokens: 1 evaluated, 10 reused
	// cached sequences: 2
}

// tinyModel writes a tiny synthetic model of arch to a temporary file and
// loads it on one thread; done closes it and removes the file.
func tinyModel(arch string) (m *engine.Model, done func(), err error) {
	dir, err := os.MkdirTemp("", "plume-example")
	if err != nil {
		return nil, nil, err
	}
	path := filepath.Join(dir, "tiny.gguf")
	if err = testmodel.WriteFile(testmodel.Tiny(arch, tensor.F32), path); err == nil {
		m, err = engine.Load(path, engine.Options{Threads: 1})
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	return m, func() { m.Close(); os.RemoveAll(dir) }, nil
}
