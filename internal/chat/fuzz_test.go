package chat

import (
	"errors"
	"testing"
	"time"

	"github.com/plumewriter/plume/internal/llm"
)

// FuzzRender feeds arbitrary template text through the lexer, parser and
// evaluator. Any input must give an output within the caps or an error,
// never a panic or a hang.
func FuzzRender(f *testing.F) {
	for _, fam := range builtinFamilies {
		src, _ := Builtin(fam)
		f.Add(src)
	}
	f.Add(`{% for m in messages %}{{ m.role|upper }}{{ loop.index }}{% endfor %}`)
	f.Add(`{% set ns = namespace(a=1) %}{% set ns.a = ns.a + 1 %}{{ ns.a ~ 'x' }}{{ [1,2,3][::-1]|tojson }}`)
	f.Add(`{% macro m(x, y=2) %}{{ x * y }}{% endmacro %}{{ m(3) }}{{ 'a b'.split()|join('-') }}`)
	f.Add(`{{ 'x' * 10**9 }}`)
	msgs := []llm.Message{{Role: "system", Content: "sys"}, {Role: "user", Content: "héllo"}, {Role: "assistant", Content: "ok"}}
	f.Fuzz(func(t *testing.T, tmpl string) {
		start := time.Now()
		out, err := Render(tmpl, msgs, Options{AddGenerationPrompt: true, BOS: "<s>", EOS: "</s>"})
		if err == nil && len(out) > MaxOutputBytes {
			t.Fatalf("output %d bytes over the cap", len(out))
		}
		if err != nil && errors.Is(err, ErrBudget) && len(out) != 0 {
			t.Fatalf("output returned with a budget error")
		}
		if el := time.Since(start); el > hostileDeadline {
			t.Fatalf("render took %v", el)
		}
	})
}
