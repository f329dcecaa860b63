package termsafe_test

import (
	"fmt"

	"github.com/plumewriter/plume/internal/termsafe"
)

func Example() {
	name := "Tiny\x1b]0;owned\x07 model\x1b[2J" // from a GGUF general.name
	fmt.Println(termsafe.String(name))
	fmt.Printf("%q\n", termsafe.Article("Texte\x00 propre\r\n"))
	// Output:
	// Tiny\x1b]0;owned\x07 model\x1b[2J
	// "Texte propre\n"
}
