package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/plumewriter/plume/internal/config"
	"github.com/plumewriter/plume/internal/gguf"
	"github.com/plumewriter/plume/internal/hub"
)

// OpenOptions configure Resolve and Open: where models come from, and how
// the one that is found is loaded.
type OpenOptions struct {
	// Options are the load options (threads, context length, KV type,
	// memory). Source is filled from the resolved model.
	Options
	// Config locates the model cache (HF_HUB_CACHE…) and says whether the
	// network may be used (HF_HUB_OFFLINE, HF_ENDPOINT, HF_TOKEN).
	Config config.Config
	// Pull downloads a hub model missing from the cache (plume run,
	// plume write); without it a missing model is hub.ErrNotPulled.
	Pull bool
	// Events receives download progress; may be nil.
	Events func(hub.Event)
}

// Resolve maps a model reference to a verified local file. A reference
// naming an existing regular file is that file (its sha256 remembered in
// the cache's hash index when the cache can be opened); anything else is a
// hub reference (hf.co/ORG/REPO[:QUANT], ORG/REPO/FILE.gguf[@REV], an
// alias) looked up in the model cache and pulled when o.Pull is set. The
// cache is closed before Resolve returns.
func Resolve(ctx context.Context, ref string, o OpenOptions) (hub.Local, error) {
	file, isFile := localFile(ref)
	cache, err := hub.OpenCache(o.Config)
	if err != nil {
		if isFile { // a file needs no cache; the engine hashes it if asked
			return file, nil
		}
		return hub.Local{}, fmt.Errorf("model cache: %w", err)
	}
	defer cache.Close()
	if isFile {
		ref = file.Path // absolute: never read as ORG/REPO/FILE.gguf
	}
	return cache.Resolve(ctx, ref, o.Pull, o.Events)
}

// localFile reports whether ref names an existing regular file, as its
// absolute path.
func localFile(ref string) (hub.Local, bool) {
	st, err := os.Stat(ref)
	if err != nil || !st.Mode().IsRegular() {
		return hub.Local{}, false
	}
	abs, err := filepath.Abs(ref)
	if err != nil {
		return hub.Local{}, false
	}
	return hub.Local{Path: abs, Ref: abs, Size: st.Size()}, true
}

// Open resolves ref (see Resolve) and loads the model it names with
// o.Options: the one way Plume's commands and its server open a model. The
// model's provenance (reference, sha256, commit, licence) is the resolved
// one, recorded once; Model.Info reports it.
func Open(ctx context.Context, ref string, o OpenOptions) (*Model, error) {
	loc, err := Resolve(ctx, ref, o)
	if err != nil {
		return nil, err
	}
	return loadResolved(ctx, loc, o.Options)
}

// LoadResolved loads a model Resolve found, with its provenance: Open's
// second half, for callers that time the load apart from the download.
func LoadResolved(loc hub.Local, opts Options) (*Model, error) {
	return loadResolved(context.Background(), loc, opts)
}

func loadResolved(ctx context.Context, loc hub.Local, opts Options) (*Model, error) {
	opts.Source = Source{Ref: loc.Ref, SHA256: loc.SHA256, Commit: loc.Commit, License: loc.License}
	return loadContext(ctx, loc.Path, opts)
}

// Check reports whether Load(path, opts) would accept the file: it makes
// the same checks (architecture, tensor shapes, tokenizer, memory for the
// context and KV type of opts) with the same code, without starting
// workers or allocating the KV cache. nil means the engine can run it.
func Check(path string, opts Options) error {
	if err := checkOptions(opts); err != nil {
		return err
	}
	f, err := gguf.Open(path)
	if err != nil {
		return fmt.Errorf("load: %w", err) // gguf.Open names the path, as in Load
	}
	defer f.Close()
	opts.Memory = opts.Memory.orSystem()
	if _, _, _, err := prepare(f, opts); err != nil {
		return fmt.Errorf("load %s: %w", path, err)
	}
	return nil
}
