package writer_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/plumewriter/plume/internal/sample"
	"github.com/plumewriter/plume/internal/writer"
	"github.com/plumewriter/plume/internal/writer/fakegen"
)

func ExamplePipeline_Run() {
	p := &writer.Pipeline{
		Gen:     &fakegen.Generator{}, // any llm.Generator: the local engine, a remote server…
		Now:     func() time.Time { return time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC) },
		Version: "example",
	}
	st, err := p.NewState(writer.Options{Topic: "Comment démarrer un compost", Words: 300, Seed: 1,
		Sampling: sample.DefaultParams(), MaxRevise: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	art, err := p.Run(context.Background(), st)
	if err != nil {
		fmt.Println(err)
		return
	}
	md := string(art.Markdown)
	fmt.Println(st.Options.Lang, st.Options.LangSource)
	fmt.Println(strings.Contains(md, "\ndate: 2026-11-29T09:00:00Z\n"), strings.Contains(md, "\ndigitalSourceType: trainedAlgorithmicMedia\n"))
	fmt.Println(art.Quality.Readability.Formula, art.Manifest.Format)
	// Output:
	// fr detected
	// true true
	// kandel-moles plume-manifest/1
}
