//go:build unix

package hub

import "golang.org/x/sys/unix"

// diskFree is the space available to an unprivileged user on the file
// system holding dir.
func diskFree(dir string) (int64, bool, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, false, err
	}
	return int64(st.Bavail) * int64(st.Bsize), true, nil
}
