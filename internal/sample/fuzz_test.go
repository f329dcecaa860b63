package sample

import (
	"math"
	"testing"

	"github.com/plumewriter/plume/internal/jsonschema"
)

// FuzzNewJSONSchema compiles arbitrary schemas and, when one compiles,
// drives the automaton with arbitrary bytes: no panic, Mask agrees with
// Accept on the byte tokens, and a complete output allows EOG.
func FuzzNewJSONSchema(f *testing.F) {
	for _, s := range append(propertySchemas, `{"type":["string","null"],"maxLength":3}`,
		`{"enum":["a","ab",1,[1],{"k":null}]}`, `{"type":"object","properties":{"a":{"type":"integer"}},"required":["a"]}`) {
		f.Add([]byte(s), []byte(`{"title":"x","sections":[{"heading":"h"}]}`))
	}
	tb, eog := byteVocab()
	v, err := NewVocab(tb, eog)
	if err != nil {
		f.Fatal(err)
	}
	logits := make([]float32, len(tb))
	f.Fuzz(func(t *testing.T, schema, input []byte) {
		if len(schema) > 4096 || len(input) > 512 {
			return // keep each execution cheap
		}
		s, err := jsonschema.Parse(schema)
		if err != nil {
			return
		}
		g, err := NewJSONSchemaVocab(s, v)
		if err != nil {
			return
		}
		for _, b := range input {
			clear(logits)
			g.Mask(logits)
			allowed := !math.IsInf(float64(logits[b]), -1)
			if err := g.Accept(int32(b)); (err == nil) != allowed {
				t.Fatalf("byte %q: Mask allowed=%v, Accept err=%v", b, allowed, err)
			}
			if err != nil {
				break
			}
		}
		clear(logits)
		g.Mask(logits)
		if eogOK := !math.IsInf(float64(logits[256]), -1); eogOK != g.Complete() {
			t.Fatalf("EOG allowed=%v, Complete=%v", eogOK, g.Complete())
		}
	})
}
