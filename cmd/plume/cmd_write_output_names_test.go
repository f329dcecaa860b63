package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestSameSlugNeverOverwritesAnotherArticle: two articles whose titles give
// the same slug must both survive in one --out directory; rewriting the very
// same bytes (a replay) reuses the name.
func TestSameSlugNeverOverwritesAnotherArticle(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		body, manifest string
		want           string
	}{
		{"first", "m1", "compost.md"},
		{"second", "m2", "compost-2.md"},
		{"first", "m1", "compost.md"}, // identical: same name, nothing lost
		{"third", "m1", "compost-3.md"},
	}
	for i, tc := range tests {
		name, mname, err := freeOutputNames(dir, "compost", "md", []byte(tc.body), []byte(tc.manifest))
		if err != nil {
			t.Fatalf("%d: %v", i, err)
		}
		if filepath.Base(name) != tc.want {
			t.Fatalf("%d: name %s, want %s", i, filepath.Base(name), tc.want)
		}
		if err := writeFileAtomic(name, []byte(tc.body)); err != nil {
			t.Fatal(err)
		}
		if err := writeFileAtomic(mname, []byte(tc.manifest)); err != nil {
			t.Fatal(err)
		}
	}
	for file, want := range map[string]string{"compost.md": "first", "compost-2.md": "second", "compost-3.md": "third"} {
		got, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil || string(got) != want {
			t.Fatalf("%s = %q, %v; want %q", file, got, err, want)
		}
	}
}
