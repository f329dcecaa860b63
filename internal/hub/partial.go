package hub

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/plumewriter/plume/internal/flock"
)

// incompleteSuffix marks a blob still being downloaded (huggingface_hub
// uses the same name, so their partial files are listed too).
const incompleteSuffix = ".incomplete"

// Partial is an incomplete download in the cache: the bytes a pull left
// behind when it failed or was killed. The next pull of the same file
// resumes from them; plume gc or plume rm deletes them.
type Partial struct {
	Repo   string `json:"repo"`
	SHA256 string `json:"sha256"` // the blob it will become
	Path   string `json:"path"`
	Size   int64  `json:"size"` // bytes downloaded so far
	InUse  bool   `json:"in_use,omitempty"`
}

// Partials lists the incomplete downloads in the cache, sorted by path.
// InUse marks one a running pull holds.
func (s *Cache) Partials() ([]Partial, error) {
	out, err := perRepo(s, s.repoPartials)
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, err
}

func (s *Cache) repoPartials(repo string) []Partial {
	base := path.Join(repoDir(repo), "blobs")
	entries, err := fs.ReadDir(s.root.FS(), base)
	if err != nil {
		return nil
	}
	var out []Partial
	for _, e := range entries {
		digest, ok := strings.CutSuffix(e.Name(), incompleteSuffix)
		if !ok || checkName(kindDigest, digest) != nil || !e.Type().IsRegular() {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		p := Partial{Repo: repo, SHA256: digest, Path: s.abs(path.Join(base, e.Name())), Size: fi.Size()}
		p.InUse = s.partialInUse(repo, digest)
		out = append(out, p)
	}
	return out
}

// partialInUse reports whether a pull holds the blob's download lock.
func (s *Cache) partialInUse(repo, digest string) bool {
	f, err := s.root.OpenFile(lockRel(repo, digest), os.O_RDWR, 0)
	if err != nil {
		return false // no lock file: nobody is downloading it
	}
	defer f.Close()
	ok, err := flock.TryLock(f)
	if err != nil || !ok {
		return true
	}
	_ = flock.Unlock(f)
	return false
}

// removePartials deletes the incomplete downloads of repo (every repo when
// repo is ""), skipping those a running pull holds. It returns the
// cache-relative paths removed and the bytes freed.
func (s *Cache) removePartials(repo string) ([]string, int64, error) {
	all, err := s.Partials()
	if err != nil {
		return nil, 0, err
	}
	var removed []string
	var freed int64
	for _, p := range all {
		if (repo != "" && p.Repo != repo) || p.InUse {
			continue
		}
		rel := path.Join(repoDir(p.Repo), "blobs", p.SHA256+incompleteSuffix)
		unlock, ok := s.tryBlobLock(p.Repo, p.SHA256)
		if !ok {
			continue // a pull started meanwhile
		}
		err := s.root.Remove(rel)
		unlock()
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, freed, fmt.Errorf("removing %s: %w", rel, err)
		}
		if err == nil {
			removed = append(removed, rel)
			freed += p.Size
		}
	}
	return removed, freed, nil
}

// tryBlobLock takes the blob's download lock without waiting.
func (s *Cache) tryBlobLock(repo, digest string) (func(), bool) {
	rel := lockRel(repo, digest)
	if err := s.root.MkdirAll(path.Dir(rel), 0o755); err != nil {
		return nil, false
	}
	f, err := s.root.OpenFile(rel, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, false
	}
	if ok, err := flock.TryLock(f); err != nil || !ok {
		f.Close()
		return nil, false
	}
	return func() { _ = flock.Unlock(f); f.Close() }, true
}

// GCResult is what GC removed.
type GCResult struct {
	Removed []string `json:"removed"` // cache-relative paths
	Freed   int64    `json:"freed"`   // bytes
	Skipped int      `json:"skipped"` // incomplete downloads a running pull holds
}

// GC removes every incomplete download that no running pull holds.
// Complete models are never touched (plume rm removes those).
func (s *Cache) GC() (GCResult, error) {
	before, err := s.Partials()
	if err != nil {
		return GCResult{}, err
	}
	removed, freed, err := s.removePartials("")
	res := GCResult{Removed: removed, Freed: freed, Skipped: len(before) - len(removed)}
	if res.Removed == nil {
		res.Removed = []string{}
	}
	return res, err
}
