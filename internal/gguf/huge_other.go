//go:build !linux

package gguf

// HugePages reports whether OpenPrivate's copy can be backed by transparent
// huge pages: only Linux has them.
func HugePages() bool { return false }

// adviseHuge is a no-op where transparent huge pages are not Linux's.
func adviseHuge([]byte) {}
