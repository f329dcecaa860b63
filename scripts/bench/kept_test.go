package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestKeptSections checks that the part of the file after keptMarker
// (scripts/article-bench, scripts/api-bench) is read verbatim and written
// back after the generated sections, whatever the file holds before it.
func TestKeptSections(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, file, want string
	}{
		{"no file", "", ""},
		{"no marker", "# Benchmarks\n\nText.\n", ""},
		{"marker", "# Benchmarks\n\nText.\n" + keptMarker + "\n\n## Article\n\nx\n", keptMarker + "\n\n## Article\n\nx\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name+".md")
			if tc.file != "" {
				if err := os.WriteFile(path, []byte(tc.file), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			rep, err := readReport(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := string(rep.Kept); got != tc.want {
				t.Errorf("kept = %q, want %q", got, tc.want)
			}
			out := rep.render()
			if !bytes.HasSuffix(out, []byte(tc.want)) {
				t.Errorf("render does not end with the kept part:\n%s", out)
			}
			if tc.want != "" && !bytes.HasSuffix(out, []byte("\n\n"+tc.want)) {
				t.Errorf("no blank line before the kept marker:\n%s", out)
			}
		})
	}
}
