//go:build (amd64 || arm64) && !purego

package kernels

import "testing"

// checkCapNames checks capNames against capKernels on a CPU with every
// set (set(limit) is the set chosen under that cap): the generic set
// first, every other name but the last a cap capKernels knows (an unknown
// name caps nothing, so it would give the uncapped set), the last the
// uncapped set itself.
func checkCapNames(t *testing.T, set func(limit string) string) {
	t.Helper()
	if capNames[0] != "generic" || set("generic") != "generic" {
		t.Errorf("capNames[0] = %q, set %q: want the generic set first", capNames[0], set("generic"))
	}
	top := set("")
	last := len(capNames) - 1
	for _, name := range capNames[:last] {
		if got := set(name); got == top {
			t.Errorf("PLUME_KERNELS=%s gives %s, the uncapped set: not a cap capKernels knows", name, got)
		}
	}
	if got := set(capNames[last]); got != top {
		t.Errorf("PLUME_KERNELS=%s gives %s, uncapped %s", capNames[last], got, top)
	}
}
