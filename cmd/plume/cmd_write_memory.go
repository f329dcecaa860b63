package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/plumewriter/plume/internal/engine"
	"github.com/plumewriter/plume/internal/gguf"
)

// Memory check before loading a model: the weights (memory-mapped, but
// touched on every token) plus the F32 KV cache plus a working margin must
// fit in the machine's RAM, or generation would thrash for hours instead of
// failing clearly.
const (
	// memoryMarginBytes covers activations, the tokenizer, the grammar
	// trie and the Go runtime.
	memoryMarginBytes = 256 << 20
	// kvBytesPerElement: the engine's KV cache is F32.
	kvBytesPerElement = 4
	// meminfoPath is where Linux reports the machine's memory.
	meminfoPath = "/proc/meminfo"
)

// memTotal reads the machine's RAM in bytes (0 when unknown: other systems).
var memTotal = func() uint64 {
	f, err := os.Open(meminfoPath)
	if err != nil {
		return 0
	}
	defer f.Close()
	return parseMemTotal(f)
}

// parseMemTotal reads the "MemTotal: N kB" line of /proc/meminfo.
func parseMemTotal(r io.Reader) uint64 {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemTotal:" {
			kb, err := strconv.ParseUint(fields[1], 10, 64)
			if err != nil || kb > 1<<50 {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}

// modelMemory estimates the bytes a model needs with a context of ctx
// positions (0 = the engine's default cap).
func modelMemory(path string, ctx int) (uint64, error) {
	f, err := gguf.Open(path)
	if err != nil {
		return 0, fmt.Errorf("model %s: %w", path, err)
	}
	defer f.Close()
	get := func(suffix string) uint64 {
		v, _ := f.Uint(f.ArchKey(suffix))
		return v
	}
	layers, heads, kvHeads, embd := get("block_count"), get("attention.head_count"), get("attention.head_count_kv"), get("embedding_length")
	if kvHeads == 0 {
		kvHeads = heads
	}
	headDim := get("attention.key_length")
	if headDim == 0 && heads > 0 {
		headDim = embd / heads
	}
	positions := uint64(engine.DefaultContextLength)
	if train := get("context_length"); train > 0 && train < positions {
		positions = train
	}
	if ctx > 0 {
		positions = uint64(ctx)
	}
	kv := 2 * layers * positions * kvHeads * headDim * kvBytesPerElement
	return uint64(f.Size()) + kv + memoryMarginBytes, nil
}

// checkMemory refuses a model that does not fit in the machine's RAM.
func checkMemory(path string, ctx int) error {
	total := memTotal()
	if total == 0 {
		return nil // unknown: let the load try
	}
	need, err := modelMemory(path, ctx)
	if err != nil {
		return err
	}
	if need > total {
		return fmt.Errorf("model %s needs about %.1f GiB (weights + KV cache for the context) but this machine has %.1f GiB of RAM; choose a smaller quantization or a smaller --ctx",
			path, float64(need)/(1<<30), float64(total)/(1<<30))
	}
	return nil
}
