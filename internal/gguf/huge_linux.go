package gguf

import (
	"bytes"
	"os"

	"golang.org/x/sys/unix"
)

// thpPath is where Linux reports its transparent huge page policy:
// "always [madvise] never", the bracketed word being the one in force.
const thpPath = "/sys/kernel/mm/transparent_hugepage/enabled"

// HugePages reports whether this system gives transparent huge pages to
// memory that asks for them (policy "always" or "madvise"), so that
// OpenPrivate's copy can be backed by them. Without them the copy only
// costs memory.
func HugePages() bool {
	b, err := os.ReadFile(thpPath)
	if err != nil {
		return false
	}
	return bytes.Contains(b, []byte("[always]")) || bytes.Contains(b, []byte("[madvise]"))
}

// adviseHuge asks for transparent huge pages for mem (page-aligned: a whole
// anonymous mapping). It is advice: a kernel that refuses leaves 4 KiB
// pages, which changes speed only, so its error is ignored.
func adviseHuge(mem []byte) { _ = unix.Madvise(mem, unix.MADV_HUGEPAGE) }
