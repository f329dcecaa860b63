package hub

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckName(t *testing.T) {
	long := strings.Repeat("a", MaxSegmentLen+1)
	tests := []struct {
		kind nameKind
		s    string
		ok   bool
	}{
		{kindRepoPart, "Qwen", true},
		{kindRepoPart, "Qwen2.5-1.5B-Instruct-GGUF", true},
		{kindRepoPart, "", false},
		{kindRepoPart, "..", false},
		{kindRepoPart, "a..b", false},
		{kindRepoPart, "a--b", false},
		{kindRepoPart, "a/b", false},
		{kindRepoPart, "-a", false},
		{kindRepoPart, "a.", false},
		{kindRepoPart, "a b", false},
		{kindRepoPart, strings.Repeat("a", MaxRepoPartLen+1), false},
		{kindFile, "model-Q4_K_M.gguf", true},
		{kindFile, "sub/dir/model.gguf", true},
		{kindFile, "../x.gguf", false},
		{kindFile, "a/../../x.gguf", false},
		{kindFile, "/etc/passwd", false},
		{kindFile, `a\b.gguf`, false},
		{kindFile, "a\x00b.gguf", false},
		{kindFile, "a\nb.gguf", false},
		{kindFile, "a//b.gguf", false},
		{kindFile, "./a.gguf", false},
		{kindFile, "a/", false},
		{kindFile, "C:x.gguf", false},
		{kindFile, "\xff.gguf", false},
		{kindFile, long, false},
		{kindFile, strings.Repeat("a/", MaxNameLen/2+1) + "x", false},
		{kindFile, "x.gguf.incomplete", false},
		{kindRevision, "main", true},
		{kindRevision, "refs/pr/1", true},
		{kindRevision, "v1.0", true},
		{kindRevision, "refs/../x", false},
		{kindRevision, "a b", false},
		{kindDigest, strings.Repeat("ab", 20), true},
		{kindDigest, strings.Repeat("ab", 32), true},
		{kindDigest, strings.Repeat("AB", 20), false},
		{kindDigest, strings.Repeat("a", 41), false},
	}
	for _, tt := range tests {
		t.Run(tt.s, func(t *testing.T) {
			err := checkName(tt.kind, tt.s)
			if (err == nil) != tt.ok {
				t.Errorf("checkName(%v, %q) = %v, want ok=%v", tt.kind, tt.s, err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrBadName) {
				t.Errorf("error %v does not wrap ErrBadName", err)
			}
		})
	}
}

// FuzzCheckName: whatever checkName accepts stays inside any base directory
// once joined, in the slash form used with os.Root and in the OS form.
func FuzzCheckName(f *testing.F) {
	for _, s := range []string{"model.gguf", "a/b/c.gguf", "../x", "a/../../b", "/abs", `a\..\b`, "a\x00b", "refs/pr/1", "..", ".", "a//b", "x:y"} {
		f.Add(uint8(kindFile), s)
	}
	f.Fuzz(func(t *testing.T, k uint8, s string) {
		kind := nameKind(k % 4)
		if checkName(kind, s) != nil {
			return
		}
		if !filepath.IsLocal(s) || strings.ContainsAny(s, "\\\x00") || len(s) > MaxNameLen {
			t.Fatalf("accepted unsafe %v %q", kind, s)
		}
		base := "/cache/models--a--b/snapshots/c"
		if j := filepath.Join(base, s); !strings.HasPrefix(j, base+"/") {
			t.Fatalf("%q escapes: %s", s, j)
		}
		for seg := range strings.SplitSeq(s, "/") {
			if seg == ".." || seg == "." || seg == "" {
				t.Fatalf("accepted segment %q in %q", seg, s)
			}
		}
	})
}

// FuzzParseRef: no reference makes ParseRef panic, and every remote result
// carries only names checkName accepts.
func FuzzParseRef(f *testing.F) {
	for _, s := range []string{"hf.co/Qwen/Qwen2.5-1.5B-Instruct-GGUF:Q4_K_M", "qwen2.5:1.5b", "a/b/c.gguf@main", "a/b/../c.gguf", "hf.co/a/b:", "hf.co/../b", "a/b/c.gguf@refs/pr/1", "~/x.gguf"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRef(s)
		if err != nil || r.Kind == RefLocal {
			return
		}
		if checkRepo(r.Repo) != nil || checkName(kindRevision, r.Revision) != nil {
			t.Fatalf("ParseRef(%q) = %+v with invalid repo or revision", s, r)
		}
		if r.File != "" && checkName(kindFile, r.File) != nil {
			t.Fatalf("ParseRef(%q) = %+v with invalid file", s, r)
		}
	})
}
