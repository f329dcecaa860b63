//go:build !linux

package hugepage

// Enabled reports false: only Linux has transparent huge pages.
func Enabled() bool { return false }

// Advise is a no-op where transparent huge pages are not Linux's.
func Advise[T any](buf []T) {}
