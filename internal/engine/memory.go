package engine

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"

	"github.com/plumewriter/plume/internal/model"
	"github.com/plumewriter/plume/internal/tensor"
)

// ErrMemory reports a model that does not fit in this machine's memory.
var ErrMemory = errors.New("model does not fit in memory")

// meminfoPath is where Linux reports memory; elsewhere the check is skipped.
const meminfoPath = "/proc/meminfo"

// StateBytes estimates the heap a session of ctx positions allocates: the
// KV cache (elements of kv, F32 or F16) plus the scratch activations of one MaxBatch step and the
// logits of scoreChunk rows.
func StateBytes(c model.Config, ctx int, kv tensor.Type) uint64 {
	cache := 2 * uint64(c.Layers) * uint64(ctx) * uint64(c.KVDim()) * 4
	if kv == tensor.F16 {
		cache /= 2
	}
	rows := uint64(model.MaxBatch)
	act := rows * (3*uint64(c.Embd) + 2*uint64(c.QDim()) + 2*uint64(c.KVDim()) + 2*uint64(c.FFN) + uint64(c.RopeDim))
	return cache + 4*(act+uint64(scoreChunk)*uint64(c.Vocab))
}

// checkMemory fails when one session's buffers exceed the available memory,
// or the mapped weights plus those buffers exceed the physical memory (the
// model would be paged in from disk for every token). An unknown memory
// (mem.Total == 0) passes.
func checkMemory(mem Memory, fileSize int64, c model.Config, ctx int, kv tensor.Type) error {
	total, avail := mem.Total, mem.Available
	if total == 0 {
		return nil
	}
	need := StateBytes(c, ctx, kv)
	if need > avail {
		return fmt.Errorf("%w: a %d-token context needs %d MiB, %d MiB available (use a smaller context length)",
			ErrMemory, ctx, need>>20, avail>>20)
	}
	if uint64(fileSize)+need > total {
		return fmt.Errorf("%w: %d MiB of weights + %d MiB of buffers > %d MiB of RAM",
			ErrMemory, fileSize>>20, need>>20, total>>20)
	}
	return nil
}

// memInfo returns MemTotal and MemAvailable in bytes.
func memInfo() (total, avail uint64, ok bool) {
	data, err := os.ReadFile(meminfoPath)
	if err != nil {
		return 0, 0, false
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := bytes.Fields(sc.Bytes())
		if len(f) < 2 {
			continue
		}
		v, err := strconv.ParseUint(string(f[1]), 10, 64)
		if err != nil {
			continue
		}
		switch string(f[0]) {
		case "MemTotal:":
			total = v << 10
		case "MemAvailable:":
			avail = v << 10
		}
	}
	return total, avail, total > 0 && avail > 0
}
