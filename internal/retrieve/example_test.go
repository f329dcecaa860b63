package retrieve_test

import (
	"fmt"

	"github.com/plumewriter/plume/internal/retrieve"
)

func Example() {
	docs := []retrieve.Doc{{Title: "Notes", Text: "# Compost\n\nMix green and brown waste.\n\n# Bread\n\nFeed the starter every day."}}
	passages := retrieve.Split(docs, retrieve.DefaultPassageTokens, retrieve.EstimateTokens)
	ix, err := retrieve.NewIndex(passages, "en")
	if err != nil {
		panic(err)
	}
	defer ix.Close()
	hits, _ := ix.Search(retrieve.SectionQuery("Feeding a starter", []string{"how often"}), 1)
	for _, p := range retrieve.Within(hits, 500) {
		fmt.Printf("[%d] %s: %s\n", p.N, p.Heading, p.Text)
	}
	// Output: [2] Bread: Feed the starter every day.
}
