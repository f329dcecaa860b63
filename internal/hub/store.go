package hub

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"github.com/plumewriter/plume/internal/config"
)

// Cache is the local model cache (huggingface_hub layout) plus the client
// that fills it. All file access goes through root, an os.Root at the cache
// directory, so no name can escape it even if validation had a gap.
type Cache struct {
	cfg    config.Config
	dir    string
	root   *os.Root
	net    netConfig
	hashes *hashCache
	// freeSpace reports the free bytes of a directory's file system
	// (diskFree; tests fake a small disk).
	freeSpace func(dir string) (int64, bool, error)

	clientOnce sync.Once
	client     *client
	clientErr  error
}

// OpenCache opens (creating if needed) the cache at cfg.HubCache.
func OpenCache(cfg config.Config) (*Cache, error) {
	dir, err := filepath.Abs(cfg.HubCache)
	if err != nil {
		return nil, fmt.Errorf("model cache %q: %w", cfg.HubCache, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("model cache: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("model cache: %w", err)
	}
	return &Cache{cfg: cfg, dir: dir, root: root, net: defaultNet(), hashes: newHashCache(cfg.DataDir), freeSpace: diskFree}, nil
}

// Close releases the cache directory handle.
func (s *Cache) Close() error { return s.root.Close() }

// Dir is the absolute path of the cache directory.
func (s *Cache) Dir() string { return s.dir }

// Offline reports whether HF_HUB_OFFLINE is in force.
func (s *Cache) Offline() bool { return s.cfg.Offline }

func (s *Cache) hub() (*client, error) {
	s.clientOnce.Do(func() { s.client, s.clientErr = newClient(s.cfg, s.net) })
	return s.client, s.clientErr
}

// Relative paths inside the cache. Callers pass validated names only.
func blobRel(repo, digest string) string { return path.Join(repoDir(repo), "blobs", digest) }
func snapRel(repo, commit, file string) string {
	return path.Join(repoDir(repo), "snapshots", commit, file)
}
func refRel(repo, rev string) string { return path.Join(repoDir(repo), "refs", rev) }
func lockRel(repo, digest string) string {
	return path.Join(".locks", repoDir(repo), digest+".lock")
}

// abs turns a cache-relative path into an absolute one for callers outside
// the package (the engine mmaps it).
func (s *Cache) abs(rel string) string { return filepath.Join(s.dir, filepath.FromSlash(rel)) }

// readRef returns the commit a revision points to in the cache: the revision
// itself when it is a commit hash, else the content of refs/<rev>.
func (s *Cache) readRef(repo, rev string) (string, error) {
	if checkName(kindDigest, rev) == nil && len(rev) == 40 {
		return rev, nil
	}
	b, err := s.root.ReadFile(refRel(repo, rev))
	if err != nil {
		return "", err
	}
	commit := strings.TrimSpace(string(b))
	if err := checkName(kindDigest, commit); err != nil {
		return "", fmt.Errorf("cache ref %s: %w", refRel(repo, rev), err)
	}
	return commit, nil
}

// writeAtomic writes a small file via a temp name and rename.
func (s *Cache) writeAtomic(rel string, data []byte) error {
	if err := s.root.MkdirAll(path.Dir(rel), 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", path.Dir(rel), err)
	}
	tmp := rel + ".tmp" + randSuffix()
	if err := s.root.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", rel, err)
	}
	if err := s.root.Rename(tmp, rel); err != nil {
		_ = s.root.Remove(tmp)
		return fmt.Errorf("renaming %s: %w", rel, err)
	}
	return nil
}

// linkSnapshot points snapshots/<commit>/<file> at blobs/<digest> with a
// relative symlink, as huggingface_hub does, and records refs/<rev>.
func (s *Cache) linkSnapshot(repo, rev, commit, file, digest string) error {
	link := snapRel(repo, commit, file)
	target := strings.Repeat("../", 2+strings.Count(file, "/")) + "blobs/" + digest
	if cur, err := s.root.Readlink(link); err == nil && cur == target {
		return s.writeRef(repo, rev, commit)
	}
	if err := s.root.MkdirAll(path.Dir(link), 0o755); err != nil {
		return fmt.Errorf("creating snapshot dir: %w", err)
	}
	tmp := link + ".tmp" + randSuffix()
	if err := s.root.Symlink(target, tmp); err != nil {
		return fmt.Errorf("linking snapshot: %w", err)
	}
	if err := s.root.Rename(tmp, link); err != nil {
		_ = s.root.Remove(tmp)
		return fmt.Errorf("linking snapshot: %w", err)
	}
	return s.writeRef(repo, rev, commit)
}

func (s *Cache) writeRef(repo, rev, commit string) error {
	if rev == commit {
		return nil
	}
	if cur, err := s.readRef(repo, rev); err == nil && cur == commit {
		return nil
	}
	return s.writeAtomic(refRel(repo, rev), []byte(commit))
}

// cachedFile is a file present in a snapshot.
type cachedFile struct {
	repo, commit, file string
	digest             string // blob name (sha256 for LFS files)
	size               int64
}

// lookupSnapshot finds repo/file at a cached commit. The snapshot entry may
// be a symlink into blobs/ (huggingface_hub, Plume) or a regular file
// (copies made where symlinks are unavailable).
func (s *Cache) lookupSnapshot(repo, commit, file string) (cachedFile, error) {
	rel := snapRel(repo, commit, file)
	fi, err := s.root.Stat(rel) // follows the link, inside the root only
	if err != nil {
		return cachedFile{}, err
	}
	if !fi.Mode().IsRegular() {
		return cachedFile{}, fmt.Errorf("%s: not a regular file", rel)
	}
	cf := cachedFile{repo: repo, commit: commit, file: file, size: fi.Size()}
	if target, err := s.root.Readlink(rel); err == nil {
		if d := path.Base(target); checkName(kindDigest, d) == nil && len(d) == 64 {
			cf.digest = d
		}
	}
	return cf, nil
}

// snapshotFiles lists the files of one cached commit (relative paths).
func (s *Cache) snapshotFiles(repo, commit string) ([]string, error) {
	base := path.Join(repoDir(repo), "snapshots", commit)
	var files []string
	err := fs.WalkDir(s.root.FS(), base, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel := strings.TrimPrefix(p, base+"/")
		if checkName(kindFile, rel) == nil {
			files = append(files, rel)
		}
		return nil
	})
	return files, err
}

// findCached resolves a remote Ref against the cache without the network.
func (s *Cache) findCached(r Ref) (cachedFile, error) {
	commit, err := s.readRef(r.Repo, r.Revision)
	if err != nil {
		return cachedFile{}, fmt.Errorf("%w: %s", ErrNotPulled, r)
	}
	file := r.File
	if r.Kind == RefQuant || (r.Kind == RefAlias && r.File == "") {
		files, err := s.snapshotFiles(r.Repo, commit)
		if err != nil {
			return cachedFile{}, fmt.Errorf("%w: %s: %v", ErrNotPulled, r, err)
		}
		file, err = pickQuant(files, r.Quant)
		if err != nil {
			return cachedFile{}, fmt.Errorf("%w: %s: %v", ErrNotPulled, r, err)
		}
	}
	cf, err := s.lookupSnapshot(r.Repo, commit, file)
	if errors.Is(err, fs.ErrNotExist) {
		return cachedFile{}, fmt.Errorf("%w: %s", ErrNotPulled, r)
	}
	return cf, err
}
