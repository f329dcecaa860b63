//go:build amd64 && !purego && !linux

package kernels

// amxPermitted reports false: the AMX kernels are used on Linux only,
// where the permission to use the tile state is asked for (see
// amxperm_linux_amd64.go).
func amxPermitted() bool { return false }
