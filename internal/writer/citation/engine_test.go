package citation

import (
	"context"
	"testing"

	"github.com/plumewriter/plume/internal/engine"
	"github.com/plumewriter/plume/internal/testutil"
)

// TestCheckOnEngine asks the stories260K fixture for verdicts under the
// grammar: every answer parses without repair, and the lexical floor
// overrules the model on an invented sentence whatever it answers.
func TestCheckOnEngine(t *testing.T) {
	m, err := engine.Load(testutil.Fixture(t, "stories260K.gguf"), engine.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for _, tc := range pairs {
		c := &Checker{Gen: m.Generator(), Lang: tc.lang}
		got, err := c.Check(context.Background(), tc.sentence, tc.passage)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		t.Logf("%s: model %q -> %q (overlap %.2f)", tc.name, got.Model, got.Verdict, got.Overlap)
		if got.Overlap < MinOverlap && got.Verdict != NotSupported {
			t.Errorf("%s: overlap %.2f but verdict %q", tc.name, got.Overlap, got.Verdict)
		}
		if got.Span != "" && !contains(tc.passage, got.Span) {
			t.Errorf("%s: span %q not in the passage", tc.name, got.Span)
		}
	}
}
