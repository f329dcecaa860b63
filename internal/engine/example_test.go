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
	dir, _ := os.MkdirTemp("", "plume-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "tiny.gguf")
	if err := testmodel.WriteFile(testmodel.Tiny("llama", tensor.F32), path); err != nil {
		fmt.Println(err)
		return
	}
	m, err := engine.Load(path, engine.Options{Threads: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()
	s, _ := m.NewSession()
	st, err := s.Generate(context.Background(), []int32{1, 300 - 10, 280}, engine.GenerateOptions{MaxTokens: 5}, nil)
	fmt.Println(m.Config().Arch, m.ContextLength(), st.Generated, st.FinishReason, err)
	// Output: llama 256 5 length <nil>
}
