package writer_test

import (
	"fmt"

	"github.com/plumewriter/plume/internal/writer"
	"github.com/plumewriter/plume/internal/writer/fakegen"
)

// Plan a run before generating: the window its longest call needs, the
// window the generator gives, and whether the answer limits must shrink.
// A generator with a fixed window (here 8,192 tokens, as a remote server
// may have) is planned inside it; the local engine is asked for Needed.
func ExamplePipeline_Plan() {
	g := &fakegen.Generator{}
	g.Model.ContextLength = 8192
	p := &writer.Pipeline{Gen: g}
	st, err := p.NewState(writer.Options{Topic: "Comment démarrer un compost", Words: 800, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	pl, err := p.Plan(st)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("window:", pl.Context, "enough:", pl.Needed <= pl.Context, "limit:", pl.Limit)
	fmt.Println("outline limits reduced:", pl.Outline != writer.DefaultBounds(800), "review limits reduced:", pl.Review != writer.DefaultBounds(800))
	// Output:
	// window: 8192 enough: false limit: the backend's context window
	// outline limits reduced: true review limits reduced: false
}
