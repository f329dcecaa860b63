package hub

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// maxHashEntries caps the hash cache; past it the oldest half is dropped
// (a user has far fewer model files than this).
const maxHashEntries = 4096

// hashCacheFile is the cache's name inside the data directory.
const hashCacheFile = "model-hashes.json"

// hashEntry identifies a file version by size and mtime.
type hashEntry struct {
	Size    int64  `json:"size"`
	MTimeNS int64  `json:"mtime_ns"`
	SHA256  string `json:"sha256"`
	Seq     int64  `json:"seq"`
}

// hashCache remembers sha256 digests of files by absolute path, size and
// mtime, so a model is hashed once, not on every run.
type hashCache struct {
	mu      sync.Mutex
	path    string // "" = in memory only
	loaded  bool
	entries map[string]hashEntry
	seq     int64
}

func newHashCache(dataDir string) *hashCache {
	hc := &hashCache{entries: map[string]hashEntry{}}
	if dataDir != "" {
		hc.path = filepath.Join(dataDir, hashCacheFile)
	}
	return hc
}

func (hc *hashCache) load() {
	if hc.loaded || hc.path == "" {
		return
	}
	hc.loaded = true
	b, err := os.ReadFile(hc.path)
	if err != nil || len(b) > MaxMetadataBody {
		return
	}
	_ = json.Unmarshal(b, &hc.entries) // a corrupt cache is just rebuilt
	for _, e := range hc.entries {
		hc.seq = max(hc.seq, e.Seq)
	}
}

// digest returns the file's sha256, from the cache when size and mtime
// still match, else by hashing it (and remembering the result).
func (hc *hashCache) digest(p string, onHash func()) (string, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return "", err
	}
	hc.mu.Lock()
	hc.load()
	e, ok := hc.entries[p]
	hc.mu.Unlock()
	if ok && e.Size == fi.Size() && e.MTimeNS == fi.ModTime().UnixNano() {
		return e.SHA256, nil
	}
	if onHash != nil {
		onHash()
	}
	sum, err := FileSHA256(p)
	if err != nil {
		return "", err
	}
	hc.remember(p, fi, sum)
	return sum, nil
}

// remember records a digest computed elsewhere (a verified download).
func (hc *hashCache) remember(p string, fi os.FileInfo, sum string) {
	hc.mu.Lock()
	defer hc.mu.Unlock()
	hc.load()
	hc.seq++
	hc.entries[p] = hashEntry{Size: fi.Size(), MTimeNS: fi.ModTime().UnixNano(), SHA256: sum, Seq: hc.seq}
	if len(hc.entries) > maxHashEntries {
		for k, v := range hc.entries {
			if v.Seq < hc.seq-maxHashEntries/2 {
				delete(hc.entries, k)
			}
		}
	}
	hc.save()
}

func (hc *hashCache) save() {
	if hc.path == "" {
		return
	}
	b, err := json.Marshal(hc.entries)
	if err != nil {
		return
	}
	// Best effort: a failure only means hashing again next time.
	if os.MkdirAll(filepath.Dir(hc.path), 0o755) != nil {
		return
	}
	tmp := hc.path + ".tmp" + randSuffix()
	if os.WriteFile(tmp, b, 0o644) == nil && os.Rename(tmp, hc.path) != nil {
		_ = os.Remove(tmp)
	}
}

// FileSHA256 returns the hex sha256 of the file at p: the one digest of a
// model file that the cache, the engine's provenance and the goldens
// generator all use.
func FileSHA256(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hashing %s: %w", p, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// randSuffix makes temp names unique across processes.
func randSuffix() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "." + hex.EncodeToString(b[:])
}
