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
func ExampleCache_Resolve() {
	fake := hubtest.New()
	defer fake.Close()
	fake.AddFile("acme/Tiny-GGUF", "tiny-Q4_K_M.gguf", []byte("not really a model"))

	dir, _ := os.MkdirTemp("", "plume-example-")
	defer os.RemoveAll(dir)
	store, err := hub.OpenCache(config.Config{HubCache: filepath.Join(dir, "hub"), Endpoint: fake.URL})
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

// Partials lists what interrupted downloads left in the cache; GC removes
// them (plume list --partial, plume gc).
func ExampleCache_GC() {
	dir, _ := os.MkdirTemp("", "plume-example-")
	defer os.RemoveAll(dir)
	store, err := hub.OpenCache(config.Config{HubCache: filepath.Join(dir, "hub"), Endpoint: config.DefaultEndpoint})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()
	// What a killed pull leaves: blobs/<sha256>.incomplete.
	blobs := filepath.Join(store.Dir(), "models--acme--Tiny-GGUF", "blobs")
	os.MkdirAll(blobs, 0o755)
	os.WriteFile(filepath.Join(blobs, "29a6a9f19463c8e9c592d2f06fa009fe46e351b618667e95eac63df77c56f404.incomplete"), make([]byte, 1000), 0o644)

	partials, _ := store.Partials()
	for _, p := range partials {
		fmt.Println(p.Repo, p.SHA256[:12], p.Size)
	}
	res, _ := store.GC()
	fmt.Println(len(res.Removed), res.Freed)
	partials, _ = store.Partials()
	fmt.Println(len(partials))
	// Output:
	// acme/Tiny-GGUF 29a6a9f19463 1000
	// 1 1000
	// 0
}
