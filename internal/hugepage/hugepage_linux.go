package hugepage

import (
	"bytes"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// thpPath is where Linux reports its transparent huge page policy:
// "always [madvise] never", the bracketed word being the one in force.
const thpPath = "/sys/kernel/mm/transparent_hugepage/enabled"

// Enabled reports whether this system gives transparent huge pages to
// memory that asks for them (policy "always" or "madvise"). Without them
// Advise changes nothing.
func Enabled() bool {
	b, err := os.ReadFile(thpPath)
	if err != nil {
		return false
	}
	return bytes.Contains(b, []byte("[always]")) || bytes.Contains(b, []byte("[madvise]"))
}

// Advise asks Linux to back the page-aligned interior of buf with
// transparent huge pages (madvise MADV_HUGEPAGE; the usual system setting,
// "madvise", gives them only to memory that asks). Buffers under Size gain
// nothing and are left alone. The advice is a hint: a kernel without THP,
// or one that refuses, changes nothing but speed, so its error is ignored.
func Advise[T any](buf []T) {
	if len(buf) == 0 {
		return
	}
	n := uintptr(len(buf)) * unsafe.Sizeof(buf[0])
	if n < Size {
		return
	}
	const page = 4096
	b := unsafe.Slice((*byte)(unsafe.Pointer(&buf[0])), n)
	off := (page - uintptr(unsafe.Pointer(&buf[0]))%page) % page // to the first page boundary
	b = b[off:]
	b = b[:uintptr(len(b))&^(page-1)]
	if len(b) == 0 {
		return
	}
	_ = unix.Madvise(b, unix.MADV_HUGEPAGE)
}
