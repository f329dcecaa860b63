package testutil

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// SmallTmpfs mounts a tmpfs of the given size ("64k") on a new temporary
// directory and returns it, unmounted at the end of the test: a real file
// system that runs out of space. It skips the test, saying why, where it
// cannot mount (not root, no mount command, no tmpfs).
func SmallTmpfs(tb testing.TB, size string) string {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "tmpfs")
	if err := os.Mkdir(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		tb.Skipf("cannot mount a %s tmpfs to fill (needs root): %v: %s", size, err, out)
	}
	tb.Cleanup(func() { exec.Command("umount", dir).Run() })
	return dir
}

// ReadOnlyDir makes dir read-only for this process: chmod for a normal
// user; a read-only bind mount for root, which chmod does not stop. It
// skips the test, saying why, where neither is possible.
func ReadOnlyDir(tb testing.TB, dir string) {
	tb.Helper()
	if os.Geteuid() != 0 {
		if err := os.Chmod(dir, 0o555); err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { os.Chmod(dir, 0o755) })
		return
	}
	if out, err := exec.Command("mount", "--bind", dir, dir).CombinedOutput(); err != nil {
		tb.Skipf("running as root and cannot bind-mount %s read-only (%v: %s)", dir, err, out)
	}
	tb.Cleanup(func() { exec.Command("umount", dir).Run() })
	if out, err := exec.Command("mount", "-o", "remount,bind,ro", dir).CombinedOutput(); err != nil {
		tb.Skipf("cannot remount %s read-only: %v: %s", dir, err, out)
	}
}
