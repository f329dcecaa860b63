package testutil

import (
	"os"
	"path/filepath"
	"testing"
)

// RepoRoot returns the directory holding go.mod, found by walking up from the
// working directory (go test runs each package in its own directory).
func RepoRoot(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatalf("getwd: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatalf("no go.mod above the working directory")
		}
		dir = parent
	}
}

// SharedDir returns the path of ../shared beside the repository, or skips
// the test when it is absent. PLUME_SHARED overrides the location.
func SharedDir(tb testing.TB) string {
	tb.Helper()
	dir := os.Getenv("PLUME_SHARED")
	if dir == "" {
		dir = filepath.Join(RepoRoot(tb), "..", "shared")
	}
	if _, err := os.Stat(filepath.Join(dir, "fixtures")); err != nil {
		tb.Skipf("fixtures not found at %s (../shared beside the repo, or set PLUME_SHARED): %v", dir, err)
	}
	return dir
}

// Fixture returns the path of a file under ../shared/fixtures, skipping the
// test when the fixtures are absent and failing it when that one file is.
func Fixture(tb testing.TB, rel string) string {
	tb.Helper()
	p := filepath.Join(SharedDir(tb), "fixtures", rel)
	if _, err := os.Stat(p); err != nil {
		tb.Fatalf("fixture %s: %v", rel, err)
	}
	return p
}
