//go:build !(386 || amd64 || arm || arm64 || loong64 || mips64le || mipsle || ppc64le || riscv64 || wasm)

package kernels

// The in-place views in bytes.go assume a little-endian CPU.
func init() { panic("kernels: big-endian CPUs are not supported") }
