//go:build !purego

package kernels

// The Q4_K and Q6_K ZMM kernels with VPDPWSSD (AVX-512 VNNI) where the
// AVX512F/BW ones take VPMADDWD and VPADDD to add the scaled pair sums
// (dotq4r4zmm_amd64.s, dotq6r4zmm_amd64.s: the same macros, Q4K_Z_SCALED
// and Q6K_Z_SCALED redefined). Same int32 lanes, so the same bits; the
// avx512vnni set takes them.

// dotQ4KPackedRows4ZMMVNNI is dotQ4KPackedRows4ZMM with VPDPWSSD.
//
//go:noescape
func dotQ4KPackedRows4ZMMVNNI(w []byte, stride int, x []byte, nb int, out []float32)

// dotQ4KPackedQuadZMMVNNI is dotQ4KPackedQuadZMM with VPDPWSSD.
//
//go:noescape
func dotQ4KPackedQuadZMMVNNI(w []byte, x []byte, nb int, groups int, out []float32)

// dotQ4KPackedStreamsZMMVNNI is dotQ4KPackedStreamsZMM with VPDPWSSD.
//
//go:noescape
func dotQ4KPackedStreamsZMMVNNI(w []byte, x []byte, nb int, groups int, stride int, out []float32)

// dotQ6KRows4ZMMVNNI is dotQ6KRows4ZMM with VPDPWSSD.
//
//go:noescape
func dotQ6KRows4ZMMVNNI(w []byte, stride int, x []byte, nb int, out []float32)

// dotQ6KQuadZMMVNNI is dotQ6KQuadZMM with VPDPWSSD.
//
//go:noescape
func dotQ6KQuadZMMVNNI(w []byte, x []byte, nb int, groups int, out []float32)

// dotQ6KStreamsZMMVNNI is dotQ6KStreamsZMM with VPDPWSSD.
//
//go:noescape
func dotQ6KStreamsZMMVNNI(w []byte, x []byte, nb int, groups int, stride int, out []float32)

// The bounds-checked entries, as those of the kernels they replace.
var (
	dotQ4KPackedRows4ZMMVNNIAsm   = rows4Entry("dotQ4KPackedRows4Asm", dotQ4KPackedRows4ZMMVNNI, 256, q4KBytes, q8KBytes)
	dotQ6KRows4ZMMVNNIAsm         = rows4Entry("dotQ6KRows4ZMMAsm", dotQ6KRows4ZMMVNNI, 256, q6KBytes, q8KBytes)
	dotQ4KPackedStreamsZMMVNNIAsm = streamEntry(dotQ4KPackedStreamsZMMVNNI, dotQ4KPackedQuadZMMVNNI, 4, 256, q4KBytes, q8KBytes)
	dotQ6KStreamsZMMVNNIAsm       = streamEntry(dotQ6KStreamsZMMVNNI, dotQ6KQuadZMMVNNI, 2, 256, q6KBytes, q8KBytes)
)
