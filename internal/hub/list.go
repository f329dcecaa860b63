package hub

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// CachedModel is a GGUF file in the model cache (named apart from
// engine.Model, a loaded model, and model.Model, its weights).
type CachedModel struct {
	Ref       string   `json:"ref"` // ORG/REPO/FILE (add @commit for a non-current snapshot)
	Repo      string   `json:"repo"`
	File      string   `json:"file"`
	Commit    string   `json:"commit"`
	SHA256    string   `json:"sha256,omitempty"` // from the blob name; "" for copies
	Path      string   `json:"path"`
	Size      int64    `json:"size"`
	Revisions []string `json:"revisions,omitempty"` // refs pointing at Commit
	License   string   `json:"license,omitempty"`   // from the model card
}

// List returns every GGUF file in the cache, whoever downloaded it,
// sorted by reference.
func (s *Cache) List() ([]CachedModel, error) {
	out, err := perRepo(s, s.listRepo)
	sort.Slice(out, func(i, j int) bool { return out[i].Ref < out[j].Ref })
	return out, err
}

// perRepo gathers what f finds in each repository that has a folder in
// the cache.
func perRepo[T any](s *Cache, f func(repo string) []T) ([]T, error) {
	dirs, err := fs.ReadDir(s.root.FS(), ".")
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", s.dir, err)
	}
	var out []T
	for _, d := range dirs {
		if repo, ok := repoFromDir(d.Name()); ok && d.IsDir() {
			out = append(out, f(repo)...)
		}
	}
	return out, nil
}

// repoFromDir inverts repoDir, validating the result.
func repoFromDir(name string) (string, bool) {
	rest, ok := strings.CutPrefix(name, "models--")
	if !ok {
		return "", false
	}
	org, repo, ok := strings.Cut(rest, "--")
	if !ok || checkRepo(org+"/"+repo) != nil {
		return "", false
	}
	return org + "/" + repo, true
}

func (s *Cache) listRepo(repo string) []CachedModel {
	refs := s.repoRefs(repo)
	snaps, err := fs.ReadDir(s.root.FS(), path.Join(repoDir(repo), "snapshots"))
	if err != nil {
		return nil
	}
	var out []CachedModel
	for _, sn := range snaps {
		commit := sn.Name()
		if checkName(kindDigest, commit) != nil {
			continue
		}
		files, _ := s.snapshotFiles(repo, commit)
		lic := s.cardLicense(repo, commit)
		for _, f := range files {
			if !strings.HasSuffix(strings.ToLower(f), ".gguf") {
				continue
			}
			cf, err := s.lookupSnapshot(repo, commit, f)
			if err != nil {
				continue // dangling link (blob removed by another tool)
			}
			m := CachedModel{Repo: repo, File: f, Commit: commit, SHA256: cf.digest, Size: cf.size,
				Path: s.abs(snapRel(repo, commit, f)), Revisions: refs[commit], License: lic}
			m.Ref = repo + "/" + f
			if len(m.Revisions) == 0 {
				m.Ref += "@" + commit
			} else if m.Revisions[0] != DefaultRevision {
				m.Ref += "@" + m.Revisions[0]
			}
			out = append(out, m)
		}
	}
	return out
}

// repoRefs maps commit → revisions (refs/…) pointing at it, main first.
func (s *Cache) repoRefs(repo string) map[string][]string {
	base := path.Join(repoDir(repo), "refs")
	out := map[string][]string{}
	_ = fs.WalkDir(s.root.FS(), base, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		rev := strings.TrimPrefix(p, base+"/")
		if checkName(kindRevision, rev) != nil {
			return nil
		}
		if c, err := s.readRef(repo, rev); err == nil {
			out[c] = append(out[c], rev)
		}
		return nil
	})
	for _, revs := range out {
		sort.Slice(revs, func(i, j int) bool {
			return revs[i] == DefaultRevision || revs[j] != DefaultRevision && revs[i] < revs[j]
		})
	}
	return out
}

// Remove deletes a cached model: its snapshot link, then its blob when no
// other snapshot links to it, then empty snapshot folders and the refs that
// pointed at them. For a model that is not in the cache it removes the
// repository's incomplete downloads instead (the partial file is named by
// the blob's sha256, not by the file, so all of the repository's go). It returns the cache-relative paths removed. Everything
// goes through the cache's os.Root, so nothing outside the cache is touched.
func (s *Cache) Remove(ref string) ([]string, error) {
	r, err := ParseRef(ref)
	if err != nil {
		return nil, err
	}
	if r.Kind == RefLocal {
		return nil, fmt.Errorf("%s is a local file, not a cached model; plume rm only removes from %s", r.Path, s.dir)
	}
	cf, err := s.findCached(r)
	if errors.Is(err, ErrNotPulled) {
		// Not in the cache: an interrupted pull may have left a partial
		// download of the repository, which is what rm then removes.
		removed, _, perr := s.removePartials(r.Repo)
		if perr != nil || len(removed) > 0 {
			return removed, perr
		}
	}
	if err != nil {
		return nil, err
	}
	unlock, err := s.lock(context.Background(), lockRel(cf.repo, cf.digestOr("snapshot")), target{repo: cf.repo, file: cf.file}, nil)
	if err != nil {
		return nil, err
	}
	defer unlock()
	var removed []string
	link := snapRel(cf.repo, cf.commit, cf.file)
	target, linkErr := s.root.Readlink(link)
	if err := s.root.Remove(link); err != nil {
		return nil, fmt.Errorf("removing %s: %w", link, err)
	}
	removed = append(removed, link)
	if linkErr == nil {
		blob := path.Join(path.Dir(link), target)
		if strings.HasPrefix(blob, repoDir(cf.repo)+"/blobs/") && !s.blobInUse(cf.repo, path.Base(blob)) {
			if err := s.root.Remove(blob); err == nil {
				removed = append(removed, blob)
			} else if !errors.Is(err, fs.ErrNotExist) {
				return removed, fmt.Errorf("removing %s: %w", blob, err)
			}
		}
	}
	return append(removed, s.pruneSnapshot(cf.repo, cf.commit)...), nil
}

func (cf cachedFile) digestOr(def string) string {
	if cf.digest != "" {
		return cf.digest
	}
	return def
}

// blobInUse reports whether any snapshot of repo still links to the blob.
func (s *Cache) blobInUse(repo, digest string) bool {
	base := path.Join(repoDir(repo), "snapshots")
	used := false
	_ = fs.WalkDir(s.root.FS(), base, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || used {
			return nil
		}
		if t, err := s.root.Readlink(p); err == nil && path.Base(t) == digest {
			used = true
		}
		return nil
	})
	return used
}

// pruneSnapshot removes a snapshot folder holding no GGUF file any more
// (its model card goes with it, and the card's blob when unused), and the
// refs that pointed at it.
func (s *Cache) pruneSnapshot(repo, commit string) []string {
	files, _ := s.snapshotFiles(repo, commit)
	for _, f := range files {
		if strings.HasSuffix(strings.ToLower(f), ".gguf") {
			return nil
		}
	}
	var removed []string
	for _, f := range files {
		link := snapRel(repo, commit, f)
		t, _ := s.root.Readlink(link)
		if s.root.Remove(link) == nil {
			removed = append(removed, link)
		}
		if t != "" && !s.blobInUse(repo, path.Base(t)) {
			blob := path.Join(repoDir(repo), "blobs", path.Base(t))
			if checkName(kindDigest, path.Base(t)) == nil && s.root.Remove(blob) == nil {
				removed = append(removed, blob)
			}
		}
	}
	snap := path.Join(repoDir(repo), "snapshots", commit)
	if s.root.RemoveAll(snap) == nil {
		removed = append(removed, snap)
	}
	for _, rev := range s.repoRefs(repo)[commit] {
		if s.root.Remove(refRel(repo, rev)) == nil {
			removed = append(removed, refRel(repo, rev))
		}
	}
	return removed
}
