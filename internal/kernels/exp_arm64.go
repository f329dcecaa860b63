//go:build !purego

package kernels

// expGroupsNEON is expGroupsGeneric: x[i] = vexpf(x[i]-m) over the whole
// groups of eight (ggml_v_expf, lane by lane as vexpf), each group's
// reduce8 added to a float64 sum in order; it returns how many elements it
// did and the sum.
//
//go:noescape
func expGroupsNEON(x []float32, m float32) (int, float64)

// siluGroupsNEON is siluGroupsGeneric: gate[i] = gate[i]/(1+vexpf(0-gate[i]))
// * up[i] over the whole groups of eight; it returns how many it did.
// len(up) >= len(gate).
//
//go:noescape
func siluGroupsNEON(gate, up []float32) int

// siluGroupsAsm is the bounds-checked entry of siluGroupsNEON.
func siluGroupsAsm(gate, up []float32) int { return siluGroupsNEON(gate, up[:len(gate)]) }
