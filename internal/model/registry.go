package model

import (
	"fmt"
	"slices"
	"sync"
)

// Arch describes one architecture: how its GGUF tensors are named and shaped.
type Arch struct {
	// Name is the general.architecture value, e.g. "llama".
	Name string
	// RopeNeox selects NeoX rotation (pairs d/2 apart) instead of adjacent
	// pairs, as llama.cpp's LLAMA_ROPE_TYPE_NEOX for this architecture.
	RopeNeox bool
	// Load requests every tensor with its expected shape. It must not
	// allocate more than the small float32 vectors.
	Load func(l *Loader, c Config) *Weights
}

var (
	registryMu sync.RWMutex
	registry   = map[string]Arch{}
)

// Register adds an architecture; it panics on a duplicate name (a
// programming error caught by the first test run).
func Register(a Arch) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[a.Name]; dup {
		panic(fmt.Sprintf("model: architecture %q registered twice", a.Name))
	}
	registry[a.Name] = a
}

// Lookup returns the registered architecture with the given name.
func Lookup(name string) (Arch, bool) {
	registryMu.RLock()
	defer registryMu.RUnlock()
	a, ok := registry[name]
	return a, ok
}

// Architectures lists the registered architecture names, sorted.
func Architectures() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
