//go:build !linux

package model

// adviseHuge is a no-op where transparent huge pages are not Linux's.
func adviseHuge[T any](buf []T) {}
