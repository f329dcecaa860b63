package audit_test

import (
	"fmt"

	"github.com/plumewriter/plume/internal/audit"
)

func ExampleCompute() {
	scored := []audit.Scored{
		{ID: "1", LLMore: -10, LLLess: -12}, // the stereotype is more likely
		{ID: "2", LLMore: -15, LLLess: -11},
	}
	r := audit.Compute(scored, audit.BootstrapSeed)
	fmt.Printf("pct_stereotype %.2f, likelihood_diff %.1f over %d pairs\n", r.PctStereotype.Value, r.LikelihoodDiff.Value, r.Pairs)
	// Output: pct_stereotype 0.50, likelihood_diff 3.0 over 2 pairs
}
