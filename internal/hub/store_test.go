package hub

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plumewriter/plume/internal/gguf"
	"github.com/plumewriter/plume/internal/hub/hubtest"
	"github.com/plumewriter/plume/internal/tensor"
)

// tinyGGUF builds a small valid GGUF with general.* metadata.
func tinyGGUF(t *testing.T) []byte {
	t.Helper()
	w := gguf.NewWriter()
	for k, v := range map[string]any{
		"general.architecture": "llama", "general.name": "Tiny", "general.license": "mit",
		"general.source.url": "https://example.org/tiny", "llama.context_length": uint32(512),
		"tokenizer.chat_template": "{{ messages }}",
	} {
		if err := w.AddKV(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.AddTensor("token_embd.weight", tensor.F32, []uint64{4, 8}, make([]byte, 4*8*4)); err != nil {
		t.Fatal(err)
	}
	if err := w.AddTensor("output_norm.weight", tensor.F32, []uint64{4}, make([]byte, 16)); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestListShowRemove(t *testing.T) {
	s, h := newTestStore(t)
	data := tinyGGUF(t)
	h.AddFile(testRepo, "tiny-F32.gguf", data)
	h.AddFile(testRepo, "copy-Q8_0.gguf", data) // same blob, second link
	h.AddFile(testRepo, "README.md", []byte("---\nlicense: apache-2.0\n---\n"))
	ctx := context.Background()
	for _, ref := range []string{"hf.co/" + testRepo + ":F32", "hf.co/" + testRepo + ":Q8_0"} {
		if _, err := s.Pull(ctx, ref, nil); err != nil {
			t.Fatal(err)
		}
	}
	models, err := s.List()
	if err != nil || len(models) != 2 {
		t.Fatalf("List = %+v, %v", models, err)
	}
	m := models[1]
	if m.Ref != testRepo+"/tiny-F32.gguf" || m.SHA256 != hubtest.SHA256(data) || m.License != "apache-2.0" || m.Revisions[0] != "main" {
		t.Fatalf("model %+v", m)
	}
	in, err := ReadInfo(m.Path)
	if err != nil {
		t.Fatal(err)
	}
	if in.Arch != "llama" || in.Params != 36 || in.ContextLength != 512 || in.License != "mit" || in.Quant != "F32" ||
		in.Source != "https://example.org/tiny" || in.ChatTemplate == "" || len(in.QuantMix) != 1 || in.QuantMix[0].Tensors != 2 {
		t.Fatalf("info %+v", in)
	}
	// Removing one file keeps the blob the other still links to.
	blob := filepath.Join(s.Dir(), repoDir(testRepo), "blobs", m.SHA256)
	if _, err := s.Remove("hf.co/" + testRepo + ":F32"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(blob); err != nil {
		t.Fatalf("shared blob removed: %v", err)
	}
	if _, err := s.Resolve(ctx, "hf.co/"+testRepo+":F32", false, nil); !errors.Is(err, ErrNotPulled) {
		t.Fatalf("removed model still resolves: %v", err)
	}
	removed, err := s.Remove(testRepo + "/copy-Q8_0.gguf")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(blob); !os.IsNotExist(err) {
		t.Fatalf("blob kept after its last link went: %v (removed %v)", err, removed)
	}
	if models, _ := s.List(); len(models) != 0 {
		t.Fatalf("List after rm = %+v", models)
	}
	if _, err := s.Remove("/etc/passwd"); !errors.Is(err, ErrLocalFile) {
		t.Fatalf("rm of a local path: %v", err)
	}
	if _, err := s.Remove("hf.co/" + testRepo); !errors.Is(err, ErrNotPulled) {
		t.Fatalf("rm of a missing model: %v", err)
	}
}

// A model laid out by huggingface_hub (or llama.cpp) is found and reused in
// place: no download, and the blob is verified once.
func TestForeignCacheReused(t *testing.T) {
	s, h := newTestStore(t)
	data := testData(4096)
	h.AddFile(testRepo, "m-Q4_K_M.gguf", data)
	commit, sum := h.Commit(testRepo), hubtest.SHA256(data)
	base := filepath.Join(s.Dir(), repoDir(testRepo))
	os.MkdirAll(filepath.Join(base, "blobs"), 0o755)
	os.MkdirAll(filepath.Join(base, "snapshots", commit), 0o755)
	os.MkdirAll(filepath.Join(base, "refs"), 0o755)
	os.WriteFile(filepath.Join(base, "blobs", sum), data, 0o644)
	os.Symlink("../../blobs/"+sum, filepath.Join(base, "snapshots", commit, "m-Q4_K_M.gguf"))
	os.WriteFile(filepath.Join(base, "refs", "main"), []byte(commit), 0o644)

	var log eventLog
	l, err := s.Pull(context.Background(), "hf.co/"+testRepo, log.add)
	if err != nil || l.SHA256 != sum {
		t.Fatalf("%+v %v", l, err)
	}
	if n := len(cdnRanges(h)); n != 0 {
		t.Fatalf("downloaded %d times despite the cached blob", n)
	}
	if log.count(EventReuse) != 1 || log.count(EventVerify) != 1 {
		t.Fatalf("events %+v", log.ev)
	}
}

// A snapshot link planted to point outside the cache is never followed
// (os.Root refuses it).
func TestProbllamaSymlinkEscape(t *testing.T) {
	s, _ := newTestStore(t)
	secret := filepath.Join(t.TempDir(), "secret.gguf")
	os.WriteFile(secret, []byte("secret"), 0o644)
	commit := strings.Repeat("c", 40)
	snap := filepath.Join(s.Dir(), repoDir(testRepo), "snapshots", commit)
	os.MkdirAll(snap, 0o755)
	os.MkdirAll(filepath.Join(s.Dir(), repoDir(testRepo), "refs"), 0o755)
	os.WriteFile(filepath.Join(s.Dir(), repoDir(testRepo), "refs", "main"), []byte(commit), 0o644)
	os.Symlink(secret, filepath.Join(snap, "m-Q4_K_M.gguf"))
	if l, err := s.Resolve(context.Background(), "hf.co/"+testRepo, false, nil); err == nil {
		t.Fatalf("resolved a link leaving the cache: %+v", l)
	}
	if models, _ := s.List(); len(models) != 0 {
		t.Fatalf("listed a link leaving the cache: %+v", models)
	}
	if _, err := s.Remove("hf.co/" + testRepo); err == nil {
		t.Fatal("rm followed a link leaving the cache")
	}
	if _, err := os.Stat(secret); err != nil {
		t.Fatalf("file outside the cache touched: %v", err)
	}
}

// CVE-2024-37032 ("Probllama") class: names that come from the hub (tree
// paths, X-Repo-Commit, X-Linked-Etag) must not steer a write outside the
// cache.
func TestProbllamaHostileHubNames(t *testing.T) {
	tests := []struct {
		name, commit, etag, tree string
	}{
		{"traversal in tree path", strings.Repeat("a", 40), strings.Repeat("b", 64), `[{"type":"file","path":"../../../evil-Q4_K_M.gguf","size":1}]`},
		{"traversal in commit", "../../../../../../tmp/evil", strings.Repeat("b", 64), `[{"type":"file","path":"m-Q4_K_M.gguf","size":1}]`},
		{"traversal in etag", strings.Repeat("a", 40), "../../../evil", `[{"type":"file","path":"m-Q4_K_M.gguf","size":1}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasPrefix(r.URL.Path, "/api/") {
					w.Write([]byte(tt.tree))
					return
				}
				w.Header().Set("X-Repo-Commit", tt.commit)
				w.Header().Set("X-Linked-Etag", `"`+tt.etag+`"`)
				w.Header().Set("X-Linked-Size", "1")
				w.Write([]byte("x"))
			}))
			defer srv.Close()
			outside := t.TempDir()
			s := openTestStore(t, nil, outside)
			s.cfg.Endpoint = srv.URL
			if _, err := s.Pull(context.Background(), "hf.co/"+testRepo, nil); err == nil {
				t.Fatal("pull with a hostile name succeeded")
			} else {
				t.Log(err)
			}
			filepath.WalkDir(outside, func(p string, d os.DirEntry, err error) error {
				if strings.Contains(p, "evil") {
					t.Errorf("hostile name reached the disk: %s", p)
				}
				return nil
			})
		})
	}
}
