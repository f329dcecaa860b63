package watermark_test

import (
	"fmt"

	"github.com/plumewriter/plume/internal/watermark"
)

// A sequence in which every token follows its predecessor on the green list
// is detected; the same length drawn without the watermark is not.
func Example() {
	key := watermark.DefaultKey()
	ids := []int32{1}
	for len(ids) < 60 {
		prev := ids[len(ids)-1]
		for tok := int32(len(ids) * 7); ; tok++ {
			if key.Green(prev, tok) {
				ids = append(ids, tok)
				break
			}
		}
	}
	s := watermark.ScoreIDs(key, ids)
	fmt.Printf("%s, z > %g: %v\n", s.Verdict, watermark.ZThreshold, s.Z > watermark.ZThreshold)
	fmt.Printf("false-positive rate of a verdict: %.2g\n", watermark.FalsePositiveRate)
	// Output:
	// watermarked, z > 4: true
	// false-positive rate of a verdict: 3.2e-05
}
