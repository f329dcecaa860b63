//go:build amd64 && !purego && linux

package kernels

import "syscall"

// Linux's interface for the AMX tile data (arch/x86/include/uapi/asm/prctl.h
// and the XSAVE feature numbers): a process asks once for the permission
// to use it, and the kernel then gives each thread the 8 KB of tile state
// on its first AMX instruction.
const (
	archReqXCompPerm  = 0x1023 // ARCH_REQ_XCOMP_PERM
	xfeatureXTileData = 18     // XFEATURE_XTILEDATA
)

// amxPermitted asks Linux for the permission to use AMX tiles in this
// process and reports whether it was given (it is refused by kernels
// before 5.16 and where the tile state is not enabled).
func amxPermitted() bool {
	_, _, errno := syscall.Syscall(syscall.SYS_ARCH_PRCTL, archReqXCompPerm, xfeatureXTileData, 0)
	return errno == 0
}
