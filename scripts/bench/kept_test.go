package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestKeptSections(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, file, want string
	}{
		{"no file", "", ""},
		{"no marker", "# Benchmarks\n\n| a |\n", ""},
		{"marker", "# Benchmarks\n\n| a |\n" + keptMarker + "\n\n## Article\n\nx\n", "\n" + keptMarker + "\n\n## Article\n\nx\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name+".md")
			if tc.file != "" {
				if err := os.WriteFile(path, []byte(tc.file), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if got := string(keptSections(path)); got != tc.want {
				t.Errorf("keptSections = %q, want %q", got, tc.want)
			}
		})
	}
}
