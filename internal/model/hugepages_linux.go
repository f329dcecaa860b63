package model

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// hugePageMin is the KV buffer size from which its pages are advised huge:
// one 2 MiB transparent huge page; smaller buffers gain nothing.
const hugePageMin = 2 << 20

// adviseHuge asks Linux to back the page-aligned interior of buf with
// transparent huge pages (madvise MADV_HUGEPAGE; the usual system setting,
// "madvise", gives them only to memory that asks). The KV cache's value
// rows are stored transposed, a context's length apart: one token's
// attention reads a few elements from each of kv_dim rows per layer, a
// different 4 KiB page each (8,192 pages a token for a 1B model at an
// 8,192-token context), and walks the page tables for most of them. The
// advice is a hint: a kernel without THP, or one that refuses, changes
// nothing but speed, so its error is ignored.
func adviseHuge[T any](buf []T) {
	if len(buf) == 0 {
		return
	}
	n := uintptr(len(buf)) * unsafe.Sizeof(buf[0])
	if n < hugePageMin {
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
