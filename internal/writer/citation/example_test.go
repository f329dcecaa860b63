package citation_test

import (
	"fmt"

	"github.com/plumewriter/plume/internal/writer/citation"
)

func ExampleDecide() {
	passage := "Turning the heap every three weeks brings air to the bacteria."
	// A credulous model approves an invented sentence: the lexical floor
	// overrules it.
	r, _ := citation.Decide("en", "Bees dance under the full moon [2].", passage,
		citation.Answer{Verdict: citation.Supported, Span: "brings air"})
	fmt.Println(r.Verdict, "-", r.Reason)
	fmt.Println(citation.Remove("Bees dance under the full moon [2].", 2))
	// Output:
	// not supported - lexical overlap 0.00 under the floor 0.25
	// Bees dance under the full moon.
}
