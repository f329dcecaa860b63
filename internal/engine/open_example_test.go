package engine_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/plumewriter/plume/internal/config"
	"github.com/plumewriter/plume/internal/engine"
	"github.com/plumewriter/plume/internal/tensor"
	"github.com/plumewriter/plume/internal/testmodel"
)

// Open a model by reference (here a file; a hub reference such as
// hf.co/ORG/REPO:Q4_K_M goes through the model cache), after asking whether
// the engine can run it with the same options.
func ExampleOpen() {
	dir, _ := os.MkdirTemp("", "plume-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "tiny.gguf")
	if err := testmodel.WriteFile(testmodel.Tiny("qwen2", tensor.F32), path); err != nil {
		fmt.Println(err)
		return
	}
	opts := engine.OpenOptions{
		Options: engine.Options{Threads: 1, KVType: tensor.F16},
		Config:  config.Config{HubCache: filepath.Join(dir, "hub")},
	}
	fmt.Println("can run:", engine.Check(path, opts.Options) == nil)
	m, err := engine.Open(context.Background(), path, opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()
	info := m.Info()
	limit, why := m.ContextLimit()
	fmt.Println(info.Architecture, info.ContextLength, len(info.SHA256), limit >= 0, why != "")
	// Output:
	// can run: true
	// qwen2 256 64 true true
}
