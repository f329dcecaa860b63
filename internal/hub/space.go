package hub

import (
	"fmt"
	"path"
)

// checkSpace fails with ErrNoSpace when need more bytes plus DiskMargin do
// not fit in the free space of the cache's file system (issue 13 item 3:
// a hub announcing 10^15 bytes must not fill the disk).
func (s *Cache) checkSpace(rel string, need int64) error {
	if need <= 0 {
		return nil
	}
	free, known, err := s.freeSpace(s.abs(rel))
	if err != nil {
		return fmt.Errorf("checking free space in %s: %w", s.abs(path.Clean(rel)), err)
	}
	if !known || need+DiskMargin <= free {
		return nil
	}
	return fmt.Errorf("%w: the file needs %s (plus %s kept free) and %s has %s available; free some space (plume list --partial, plume gc, plume rm) or point HF_HUB_CACHE at a larger disk",
		ErrNoSpace, formatBytes(need), formatBytes(DiskMargin), s.dir, formatBytes(free))
}

// formatBytes renders a byte count in binary units.
func formatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 5; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
