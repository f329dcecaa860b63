package writer

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/plumewriter/plume/internal/jsonschema"
	"github.com/plumewriter/plume/internal/writer/prompts"
)

// TestRepairProblemStaysFrench: every error the repair loop can quote (each
// kind of schema violation, a blank text, a cut answer, any other error)
// reaches a French repair prompt in French, without the English words of
// the same error in English (issue 18 item 5).
func TestRepairProblemStaysFrench(t *testing.T) {
	sch := jsonschema.MustParse(`{"type":"object","properties":{` +
		`"title":{"type":"string","minLength":5,"maxLength":10},` +
		`"tags":{"type":"array","items":{"type":"string"},"minItems":1,"maxItems":2},` +
		`"pass":{"type":"boolean"},"verdict":{"type":"string","enum":["yes","no"]}},` +
		`"required":["title"],"additionalProperties":false}`)
	docs := []struct{ name, doc string }{
		{"invalid JSON", `{"title": "cut`},
		{"extra data", `{"title":"hello"} x`},
		{"type", `{"title":"hello","pass":"yes"}`},
		{"enum", `{"title":"hello","verdict":"maybe"}`},
		{"required", `{}`},
		{"unexpected", `{"title":"hello","extra":1}`},
		{"minLength", `{"title":"hi"}`},
		{"maxLength", `{"title":"far too long a title"}`},
		{"minItems", `{"title":"hello","tags":[]}`},
		{"maxItems", `{"title":"hello","tags":["a","b","c"]}`},
	}
	var errs []error
	for _, d := range docs {
		err := sch.Validate([]byte(d.doc))
		var ve *jsonschema.ValidationError
		if !errors.As(err, &ve) {
			t.Fatalf("%s: Validate = %v, want a *jsonschema.ValidationError", d.name, err)
		}
		errs = append(errs, err)
	}
	errs = append(errs, fmt.Errorf("title: %w", errBlank), errors.New("decode: json: cannot unmarshal number into Go value"),
		&cutWordsError{err: errs[6], cut: []string{"$.title", "$.tags[0]"}})

	// JSON paths and property names are the schema's keys, the same in both
	// languages (the model must answer with them): not English prose.
	keys := regexp.MustCompile(`\$[\w.\[\]]*|"\w+"`)
	english := map[string]bool{}
	for _, err := range errs {
		for _, w := range promptWords(keys.ReplaceAllString(repairProblem("en", err), " ")) {
			if !sharedWords[w] && !strings.ContainsAny(w, "0123456789$") {
				english[w] = true
			}
		}
	}
	if len(english) < 20 {
		t.Fatalf("only %d English words collected: the oracle is too small", len(english))
	}
	for i, err := range errs {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			fr := repairProblem("fr", err)
			p, rerr := prompts.Render("fr", prompts.Repair, map[string]any{"Error": fr, "Text": "{}"})
			if rerr != nil {
				t.Fatal(rerr)
			}
			var found []string
			for _, w := range promptWords(keys.ReplaceAllString(p, " ")) {
				if english[w] && !slices.Contains(found, w) {
					found = append(found, w)
				}
			}
			if len(found) > 0 {
				t.Errorf("English words %q in the French repair prompt for %v:\n%s", found, err, p)
			}
			if got := repairProblem("en", err); got != err.Error() {
				t.Errorf("English repair problem %q, want the error itself %q", got, err.Error())
			}
		})
	}
}
