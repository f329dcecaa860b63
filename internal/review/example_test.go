package review_test

import (
	"fmt"

	"github.com/plumewriter/plume/internal/review"
)

func ExampleEditRatio() {
	model := "Compost turns kitchen scraps into soil for the balcony."
	editor := "Compost turns kitchen scraps into rich soil for a balcony."
	fmt.Printf("%d word edits, edit ratio %.2f\n", review.WordEdits(model, editor), review.EditRatio(model, editor))
	// Output: 2 word edits, edit ratio 0.20
}
