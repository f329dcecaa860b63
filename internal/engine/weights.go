package engine

import (
	"context"
	"os"

	"github.com/plumewriter/plume/internal/config"
	"github.com/plumewriter/plume/internal/gguf"
	"github.com/plumewriter/plume/internal/hugepage"
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

// OpenWeights opens the model file at path as Load does: mapped, or, if
// private is asked, read into private huge-page memory where
// privateWeights allows it for mem (the zero Memory is unknown: mapped).
// It reports which. plume bench opens its models with it, so that it
// measures the engine's memory layouts. ctx ends the copy early (with its
// error); a mapping is made at once.
func OpenWeights(ctx context.Context, path string, mem Memory, private bool) (*gguf.File, bool, error) {
	st, err := os.Stat(path)
	if err == nil && private && privateWeights(mem, st.Size(), hugepage.Enabled(), os.Getenv(mapEnv) != "") {
		f, err := gguf.OpenPrivate(ctx, path)
		return f, true, err
	}
	f, err := gguf.Open(path)
	return f, false, err
}
