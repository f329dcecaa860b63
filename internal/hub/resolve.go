package hub

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
)

// Local is a model file on disk, verified and ready to load.
type Local struct {
	Path    string // absolute path (inside the cache for pulled models)
	SHA256  string // hex digest of the file
	Commit  string // repository commit ("" for local paths)
	License string // licence from the alias table or the model card ("" if unknown)
	Ref     string // canonical reference (hf.co/…, ORG/REPO/FILE@REV or the path)
	Repo    string // ORG/REPO ("" for local paths)
	File    string // path inside the repository ("" for local paths)
	Size    int64  // bytes
}

// Resolve maps any model reference to a verified local file. A model already
// in the cache is used without touching the network. Otherwise, when
// pullIfMissing is true (and HF_HUB_OFFLINE is not set) it is pulled, with
// progress reported to progress (which may be nil); when false the error
// wraps ErrNotPulled and tells the user to run plume pull. Local paths are
// hashed once and then remembered by path, size and mtime.
func (s *Cache) Resolve(ctx context.Context, ref string, pullIfMissing bool, progress func(Event)) (Local, error) {
	r, err := ParseRef(ref)
	if err != nil {
		return Local{}, err
	}
	if r.Kind == RefLocal {
		return s.resolveLocal(r)
	}
	if cf, err := s.findCached(r); err == nil {
		return s.localFromCache(r, cf, progress)
	} else if !errors.Is(err, ErrNotPulled) {
		return Local{}, err
	}
	switch {
	case s.cfg.Offline:
		return Local{}, fmt.Errorf("%s: %w", r, ErrOffline)
	case !pullIfMissing:
		return Local{}, fmt.Errorf("%w: %s (run: plume pull %s)", ErrNotPulled, r, r.Input)
	}
	return s.pull(ctx, r, progress)
}

// Pull fetches a reference from the hub even when a cached copy exists, so
// a moved branch is followed; the blob itself is reused when unchanged. In
// offline mode it returns the cached copy or ErrOffline.
func (s *Cache) Pull(ctx context.Context, ref string, progress func(Event)) (Local, error) {
	r, err := ParseRef(ref)
	if err != nil {
		return Local{}, err
	}
	if r.Kind == RefLocal {
		return Local{}, fmt.Errorf("%s is a local path; nothing to pull", r.Path)
	}
	if s.cfg.Offline {
		cf, err := s.findCached(r)
		if err != nil {
			return Local{}, fmt.Errorf("%s: %w", r, ErrOffline)
		}
		return s.localFromCache(r, cf, progress)
	}
	return s.pull(ctx, r, progress)
}

func (s *Cache) pull(ctx context.Context, r Ref, progress func(Event)) (Local, error) {
	c, err := s.hub()
	if err != nil {
		return Local{}, err
	}
	t := target{endpoint: c.endpoint.String(), repo: r.Repo, file: r.File, revision: r.Revision}
	if r.File == "" {
		entries, err := c.tree(ctx, t, progress)
		if err != nil {
			return Local{}, fmt.Errorf("listing %s: %w", r.Repo, err)
		}
		var files []string
		for _, e := range entries {
			if e.Type == "file" && checkName(kindFile, e.Path) == nil {
				files = append(files, e.Path)
			}
		}
		if t.file, err = pickQuant(files, r.Quant); err != nil {
			return Local{}, fmt.Errorf("%w: %s: %v", ErrNotFound, r, err)
		}
		r.File = t.file
	}
	meta, err := c.head(ctx, t, progress)
	if err != nil {
		return Local{}, fmt.Errorf("resolving %s: %w", r, err)
	}
	emit(progress, Event{Type: EventResolve, Repo: r.Repo, File: r.File, Revision: r.Revision, Commit: meta.Commit, SHA256: meta.Digest, Total: meta.Size})
	if !meta.LFS {
		return Local{}, fmt.Errorf("%s: %s is not stored with Git LFS, so the hub gives no sha256 for it", r, r.File)
	}
	if err := s.fetchBlob(ctx, c, t, meta, progress); err != nil {
		return Local{}, err
	}
	if err := s.linkSnapshot(r.Repo, r.Revision, meta.Commit, r.File, meta.Digest); err != nil {
		return Local{}, err
	}
	s.fetchModelCard(ctx, c, target{endpoint: t.endpoint, repo: r.Repo, file: modelCardFile, revision: meta.Commit})
	cf, err := s.lookupSnapshot(r.Repo, meta.Commit, r.File)
	if err != nil {
		return Local{}, fmt.Errorf("reading back %s: %w", r, err)
	}
	l := s.makeLocal(r, cf, meta.Digest)
	emit(progress, Event{Type: EventDone, Repo: r.Repo, File: r.File, Commit: meta.Commit, SHA256: meta.Digest, Total: meta.Size, Completed: meta.Size, Path: l.Path})
	return l, nil
}

func (s *Cache) localFromCache(r Ref, cf cachedFile, progress func(Event)) (Local, error) {
	abs := s.abs(snapRel(cf.repo, cf.commit, cf.file))
	sum, err := s.hashes.digest(abs, func() {
		emit(progress, Event{Type: EventVerify, Repo: cf.repo, File: cf.file, Total: cf.size})
	})
	if err != nil {
		return Local{}, fmt.Errorf("hashing %s: %w", abs, err)
	}
	// A blob named by its sha256 must hash to its name; anything else was
	// corrupted or tampered with since it was written.
	if cf.digest != "" && sum != cf.digest {
		return Local{}, fmt.Errorf("%w: cached %s: expected %s, got %s; run plume rm %s and pull again", ErrDigestMismatch, abs, cf.digest, sum, r.Input)
	}
	r.File = cf.file
	return s.makeLocal(r, cf, sum), nil
}

func (s *Cache) makeLocal(r Ref, cf cachedFile, sum string) Local {
	lic := r.License
	if lic == "" {
		lic = s.cardLicense(cf.repo, cf.commit)
	}
	canon := Ref{Kind: RefFile, Repo: cf.repo, File: cf.file, Revision: r.Revision}
	return Local{Path: s.abs(snapRel(cf.repo, cf.commit, cf.file)), SHA256: sum, Commit: cf.commit, License: lic,
		Ref: canon.String(), Repo: cf.repo, File: cf.file, Size: cf.size}
}

func (s *Cache) resolveLocal(r Ref) (Local, error) {
	fi, err := os.Stat(r.Path)
	if err != nil {
		return Local{}, fmt.Errorf("model: %w", err) // the *fs.PathError names the path
	}
	if !fi.Mode().IsRegular() {
		return Local{}, fmt.Errorf("model %s: not a regular file", r.Input)
	}
	sum, err := s.hashes.digest(r.Path, nil)
	if err != nil {
		return Local{}, fmt.Errorf("model %s: %w", r.Input, err)
	}
	return Local{Path: r.Path, SHA256: sum, Ref: r.Path, Size: fi.Size()}, nil
}

// modelCardFile is the repository's model card (licence, base model).
const modelCardFile = "README.md"

// fetchModelCard stores README.md in the snapshot, best effort: a missing or
// oversized card never fails a pull.
func (s *Cache) fetchModelCard(ctx context.Context, c *client, t target) {
	if _, err := s.lookupSnapshot(t.repo, t.revision, t.file); err == nil {
		return
	}
	meta, err := c.head(ctx, t, nil)
	if err != nil || meta.Size > MaxMetadataBody {
		return
	}
	if s.fetchBlob(ctx, c, t, meta, nil) == nil {
		_ = s.linkSnapshot(t.repo, t.revision, meta.Commit, t.file, meta.Digest)
	}
}

// cardLicense reads "license:" (or "license_name:") from the YAML front
// matter of the cached model card.
func (s *Cache) cardLicense(repo, commit string) string {
	f, err := s.root.Open(snapRel(repo, commit, modelCardFile))
	if err != nil {
		return ""
	}
	defer f.Close()
	b, err := readLimited(f, MaxMetadataBody)
	if err != nil {
		return ""
	}
	return licenseFromCard(string(b))
}

func licenseFromCard(card string) string {
	body, ok := strings.CutPrefix(card, "---")
	if !ok {
		return ""
	}
	front, _, ok := strings.Cut(body, "\n---")
	if !ok {
		return ""
	}
	var lic, name string
	for line := range strings.SplitSeq(front, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		v = strings.Trim(strings.TrimSpace(v), `"'`)
		switch strings.TrimSpace(k) {
		case "license":
			lic = v
		case "license_name":
			name = v
		}
	}
	if lic == "other" && name != "" {
		return name
	}
	return truncateName(lic)
}
