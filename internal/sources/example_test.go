package sources_test

import (
	"context"
	"fmt"

	"github.com/plumewriter/plume/internal/sources"
)

func ExampleLoader_Load() {
	l := &sources.Loader{} // files only; set Fetcher (and Cache) for URLs
	srcs, err := l.Load(context.Background(), "testdata/jardin-latin1.txt")
	if err != nil {
		fmt.Println(err)
		return
	}
	s := srcs[0]
	fmt.Println(s.Kind, s.Charset, s.Title)
	fmt.Println(s.SHA256[:12])
	// Output:
	// text windows-1252 Le compost au jardin
	// 442655fb2ac8
}
