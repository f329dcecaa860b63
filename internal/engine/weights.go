package engine

import (
	"context"
	"math"
	"os"
	"slices"

	"github.com/plumewriter/plume/internal/config"
	"github.com/plumewriter/plume/internal/gguf"
	"github.com/plumewriter/plume/internal/hugepage"
	"github.com/plumewriter/plume/internal/kernels"
	"github.com/plumewriter/plume/internal/tensor"
)

// Where the weights live (see gguf.OpenPrivate): copied into private memory
// backed by transparent huge pages, or mapped from the file.
const (
	// privateWeightsMin is the smallest file copied: one huge page;
	// smaller files gain nothing from huge pages.
	privateWeightsMin = hugepage.Size
	// privateWeightsShare bounds the copy to 1/privateWeightsShare of the
	// memory available at load: the rest stays for the KV cache, the
	// activations and the other programs of the machine. A larger model is
	// mapped, so that under memory pressure the kernel drops its pages and
	// reads them again from the file instead of swapping or failing.
	privateWeightsShare = 2
	// mapEnv, set to any value, keeps the weights mapped from the file: for
	// several processes running one model, which then share its pages.
	mapEnv = config.EnvMmap
)

// privateWeights reports whether a model file of size bytes is copied into
// private huge-page memory on a machine with memory mem: where the system
// gives huge pages, the memory is known, and the file takes at most
// 1/privateWeightsShare of what is available.
func privateWeights(mem Memory, size int64, huge bool, mapAsked bool) bool {
	if !huge || mapAsked || mem.Total == 0 || size < privateWeightsMin {
		return false
	}
	return uint64(size) <= mem.Available/privateWeightsShare
}

// WeightsLayout is where a model's weights live (Options.Weights,
// OpenWeights).
type WeightsLayout string

const (
	// WeightsHybrid maps the file and reads the matrices of copiedTypes
	// into private huge-page memory, which the loader interleaves for the
	// group kernels, as llama.cpp's load repacks Q4_K; those of
	// backgroundTypes it copies after load, while the model runs
	// (gguf.File.CopyInBackground). The default (plume run, plume bench).
	// On the Zen 5 of BENCHMARKS.md, decoding the 1B Q4_K_M model at one
	// thread (scripts/ab, 20 rounds, tg32, 95% intervals): copying its
	// Q4_K matrices was 1.071× (1.046–1.097) as fast as WeightsMapped,
	// and its Q6_K ones too 1.096× (1.080–1.113) as fast again, for
	// 0.4–1.1 s more load. The 1B Q8_0 model, once its background copy
	// was done, decoded 1.46× (1.29–1.65) as fast as mapped at one thread
	// and 1.29× (1.23–1.36) at two (8 rounds), and its first token came
	// as early (5 and 6 alternating rounds: 2594 against 2629 ms at one
	// thread, 1990 against 1942 at two, medians).
	WeightsHybrid WeightsLayout = "hybrid"
	// WeightsMapped maps the file and copies nothing: the fastest load,
	// and the pages shared with every process running the model.
	WeightsMapped WeightsLayout = "mapped"
	// WeightsPrivate reads the whole file into private huge-page memory
	// (gguf.OpenPrivate): the fastest decode (plume serve, plume write).
	WeightsPrivate WeightsLayout = "private"
)

// OpenWeights opens the model file at path as Load does, in the layout
// want ("" is WeightsHybrid) where the machine allows it, and reports the
// layout it took. A copy (private, or hybrid's matrices) is made only
// where the system gives huge pages, PLUME_MMAP is unset, the memory mem
// is known and the copy takes at most 1/privateWeightsShare of what is
// available; WeightsPrivate falls back to WeightsHybrid, and that to
// WeightsMapped. plume bench opens its models with it, so that it
// measures the engine's layouts. ctx ends a copy early (with its error).
func OpenWeights(ctx context.Context, path string, mem Memory, want WeightsLayout) (*gguf.File, WeightsLayout, error) {
	st, err := os.Stat(path)
	huge, mapAsked := hugepage.Enabled(), os.Getenv(mapEnv) != ""
	if err == nil && want == WeightsPrivate && privateWeights(mem, st.Size(), huge, mapAsked) {
		f, err := gguf.OpenPrivate(ctx, path)
		return f, WeightsPrivate, err
	}
	if want == WeightsMapped || !huge || mapAsked || mem.Total == 0 {
		f, err := gguf.Open(path)
		return f, WeightsMapped, err
	}
	f, err := gguf.OpenCopying(ctx, path, hybridCopies, int64(min(mem.Available/privateWeightsShare, math.MaxInt64)))
	if err != nil || f.CopiedBytes() == 0 {
		return f, WeightsMapped, err
	}
	return f, WeightsHybrid, nil
}

// copiedTypes are the weight types WeightsHybrid copies out of a mapped
// model file at load: the K-quants Plume's group kernels decode faster
// interleaved.
var copiedTypes = []tensor.Type{tensor.Q4_K, tensor.Q6_K}

// backgroundTypes are those it copies in the background
// (gguf.File.CopyInBackground), after load, while the model already runs
// from the mapping. A Q8_0 model is copied whole: at load, that copy
// (1.5–1.7 s for the 1B model on the Zen 5 of BENCHMARKS.md, 2–8 s for a
// copy at the lowest priority) put its first token after llama.cpp's.
var backgroundTypes = []tensor.Type{tensor.Q8_0}

// smallCopied is the size up to which WeightsHybrid also copies, at load,
// the tensors the kernels read as they are (norm weights, biases, rope
// factors) of a model whose matrices it copies. Read at every token, a
// mapped one keeps its pages of the file resident, and where the page
// cache holds the file in large folios (ext4 and XFS do; FilePmdMapped in
// /proc/PID/smaps) that is a 2 MiB folio for an 8 KiB vector: 57 MiB for
// the 33 vectors of the 1B Q4_K_M model on the Zen 5 of BENCHMARKS.md,
// which put its peak RSS 52 MiB over budget. Copied, they cost their size
// (a few hundred KiB). The largest such tensors of the models Plume runs
// are a few tens of KiB; 1 MiB leaves room and stays small.
const smallCopied = 1 << 20

// hybridCopies says whether, and when, WeightsHybrid copies tensor t of f:
// a matrix of a copied type that the active kernels decode faster
// interleaved, and not the token embeddings unless the output head reuses
// them (a lookup reads one row of them a token); and, where it copies
// any, every other tensor of up to smallCopied bytes.
func hybridCopies(f *gguf.File, t gguf.TensorInfo) gguf.When {
	if w := matrixCopy(f, t); w != gguf.Mapped || t.Size > smallCopied {
		return w
	}
	for _, m := range f.Tensors {
		if matrixCopy(f, m) != gguf.Mapped {
			return gguf.AtOpen
		}
	}
	return gguf.Mapped
}

// matrixCopy is hybridCopies for the matrices it copies.
func matrixCopy(f *gguf.File, t gguf.TensorInfo) gguf.When {
	if t.Name == "token_embd.weight" {
		if _, own := f.Tensor("output.weight"); own {
			return gguf.Mapped
		}
	}
	switch {
	case len(t.Dims) != 2 || !kernels.Interleaves(t.Type):
		return gguf.Mapped
	case slices.Contains(copiedTypes, t.Type):
		return gguf.AtOpen
	case slices.Contains(backgroundTypes, t.Type):
		return gguf.InBackground
	}
	return gguf.Mapped
}
