package hub_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/plumewriter/plume/internal/config"
	"github.com/plumewriter/plume/internal/hub"
	"github.com/plumewriter/plume/internal/hub/hubtest"
)

// Resolve pulls a model the first time and serves it from the cache after;
// here the hub is the in-process fake.
func ExampleStore_Resolve() {
	fake := hubtest.New()
	defer fake.Close()
	fake.AddFile("acme/Tiny-GGUF", "tiny-Q4_K_M.gguf", []byte("not really a model"))

	dir, _ := os.MkdirTemp("", "plume-example-")
	defer os.RemoveAll(dir)
	store, err := hub.OpenStore(config.Config{HubCache: filepath.Join(dir, "hub"), Endpoint: fake.URL})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()

	l, err := store.Resolve(context.Background(), "hf.co/acme/Tiny-GGUF:Q4_K_M", true, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(l.Ref)
	fmt.Println(l.SHA256)
	fmt.Println(filepath.Base(l.Path), l.Commit == fake.Commit("acme/Tiny-GGUF"))
	// Output:
	// acme/Tiny-GGUF/tiny-Q4_K_M.gguf
	// 29a6a9f19463c8e9c592d2f06fa009fe46e351b618667e95eac63df77c56f404
	// tiny-Q4_K_M.gguf true
}

func ExampleParseRef() {
	for _, s := range []string{"hf.co/Qwen/Qwen2.5-1.5B-Instruct-GGUF", "bartowski/Llama-3.2-1B-Instruct-GGUF/Llama-3.2-1B-Instruct-Q8_0.gguf@main", hub.DefaultModel(), "a/../../etc/passwd.gguf"} {
		r, err := hub.ParseRef(s)
		if err != nil {
			fmt.Println("error:", err)
			continue
		}
		fmt.Printf("repo=%s quant=%s file=%s license=%s\n", r.Repo, r.Quant, r.File, r.License)
	}
	// Output:
	// repo=Qwen/Qwen2.5-1.5B-Instruct-GGUF quant=Q4_K_M file= license=
	// repo=bartowski/Llama-3.2-1B-Instruct-GGUF quant= file=Llama-3.2-1B-Instruct-Q8_0.gguf license=
	// repo=Qwen/Qwen2.5-1.5B-Instruct-GGUF quant=Q4_K_M file= license=Apache-2.0
	// error: model "a/../../etc/passwd.gguf": invalid name: repository name "..": contains "--" or ".."
}
