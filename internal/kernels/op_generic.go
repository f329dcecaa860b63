package kernels

import (
	"math"

	"github.com/plumewriter/plume/internal/tensor"
)

// genericKernels is the portable reference implementation of every kernel.
var genericKernels = kernelSet{
	name: "generic",
	dot: [maxType]dotFunc{
		tensor.F32:  dotF32Row,
		tensor.F16:  dotF16Row,
		tensor.BF16: dotBF16Row,
		tensor.Q4_0: dotQ4_0Q8_0,
		tensor.Q4_1: dotQ4_1Q8_1,
		tensor.Q5_0: dotQ5_0Q8_0,
		tensor.Q5_1: dotQ5_1Q8_1,
		tensor.Q8_0: dotQ8_0Q8_0,
		tensor.Q2_K: dotQ2KQ8K,
		tensor.Q3_K: dotQ3KQ8K,
		tensor.Q4_K: dotQ4KQ8K,
		tensor.Q5_K: dotQ5KQ8K,
		tensor.Q6_K: dotQ6KQ8K,
	},
	packed: [maxType]dotFunc{
		tensor.Q4_0: dotQ4_0Q8_0Packed,
		tensor.Q4_K: dotQ4KQ8KPacked,
	},
	expand:      [maxType]expandFunc{tensor.Q5_0: expandQ5_0},
	dotF32:      dotF32Generic,
	axpy:        axpyGeneric,
	expGroups:   expGroupsGeneric,
	siluGroups:  siluGroupsGeneric,
	maxGroups:   func([]float32) (int, float32) { return 0, float32(math.Inf(-1)) },
	scaleGroups: func([]float32, float32) int { return 0 },
	ropePairs:   func([]float32, []float32, bool) int { return 0 },
}
