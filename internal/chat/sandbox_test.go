package chat

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/plumewriter/plume/internal/llm"
)

var oneMsg = []llm.Message{{Role: "user", Content: "hi"}}

// hostileDeadline is how long any hostile template may run before failing:
// the cooperative MaxRenderTime plus slack for a loaded 2-core CI machine.
const hostileDeadline = MaxRenderTime + 2*time.Second

// TestHostileTemplates is the CVE-2024-34359 regression table: each template
// must fail (with ErrBudget when a cap is what stops it) and fail fast.
func TestHostileTemplates(t *testing.T) {
	cases := []struct {
		name, tmpl string
		budget     bool // the error must wrap ErrBudget
	}{
		{"range 10**9", `{% for i in range(10**9) %}x{% endfor %}`, true},
		{"range huge literal", `{% for i in range(1000000000) %}{% endfor %}`, true},
		{"string times 10**9", `{{ 'x' * 10**9 }}`, true},
		{"int times string", `{{ 1000000000 * 'xy' }}`, true},
		{"nested loops", `{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}`, true},
		{"nested loops output", `{% for i in range(100000) %}{% for j in range(100000) %}{{ i }}{% endfor %}{% endfor %}`, true},
		{"doubling string", `{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s|length }}`, true},
		{"doubling list", `{% set ns = namespace(l=[1]) %}{% for i in range(64) %}{% set ns.l = ns.l + ns.l %}{% endfor %}`, true},
		{"alloc churn", `{% for i in range(100000) %}{% set y = 'x' * 4000000 %}{% endfor %}`, true},
		{"scan bomb in", `{% set big = 'x' * 4000000 %}{% for i in range(100000) %}{% if 'y' in big %}{% endif %}{% endfor %}`, true},
		{"scan bomb length", `{% set big = 'é' * 2000000 %}{% for i in range(100000) %}{{ big|length > 0 and big[-1] == big[0] }}{% endfor %}`, true},
		{"scan bomb method", `{% set big = ' ' * 4000000 + 'x' %}{% for i in range(100000) %}{% if big.startswith('y') or big.find('z') > 0 %}{% endif %}{% endfor %}`, true},
		{"output flood", `{% for i in range(100000) %}{{ 'x' * 1000000 }}{% endfor %}`, true},
		{"self recursion", `{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}`, true},
		{"exponential recursion", `{% macro f(n) %}{% if n > 0 %}{{ f(n-1) }}{{ f(n-1) }}{% endif %}{% endmacro %}{{ f(30) }}`, true},
		{"tojson self reference", `{% set ns = namespace() %}{% set ns.me = ns %}{{ ns|tojson }}`, true},
		{"power overflow", `{{ 10 ** 100 }}`, true},
		{"ssti subclasses", `{{ ''.__class__.__mro__[1].__subclasses__() }}`, false},
		{"ssti globals", `{{ cycler.__init__.__globals__.os.popen('id').read() }}`, false},
		{"ssti attr call", `{{ messages.__class__() }}`, false},
		{"parse nesting", strings.Repeat("(", 10000) + "1" + strings.Repeat(")", 10000), false},
		{"block nesting", strings.Repeat("{% if true %}", 5000) + strings.Repeat("{% endif %}", 5000), false},
		{"huge template", strings.Repeat("x", MaxTemplateBytes+1), false},
		{"assign to message", `{% set m = messages[0] %}{% set m.role = 'system' %}`, false},
		{"raise", `{{ raise_exception('no') }}`, false},
		{"unclosed", `{% for x in messages %}`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tmpl := c.tmpl
			if c.name == "parse nesting" {
				tmpl = "{{ " + tmpl + " }}"
			}
			start := time.Now()
			out, err := Render(tmpl, oneMsg, Options{})
			el := time.Since(start)
			if err == nil {
				t.Fatalf("rendered %d bytes, want an error", len(out))
			}
			if c.budget && !errors.Is(err, ErrBudget) {
				t.Fatalf("error %v does not wrap ErrBudget", err)
			}
			if el > hostileDeadline {
				t.Fatalf("took %v to fail", el)
			}
			t.Logf("%v in %v", err, el)
		})
	}
}

// TestNoGoValuesLeak checks that probing for interpreter internals yields
// nothing: unknown attributes are undefined and print as "".
func TestNoGoValuesLeak(t *testing.T) {
	probes := []string{
		`{{ messages.__class__ }}`, `{{ messages[0].__dict__ }}`, `{{ ''.__class__ }}`,
		`{{ self }}`, `{{ config }}`, `{{ request }}`, `{{ lipsum }}`, `{{ range.__module__ }}`,
		`{{ messages[0].role.__len__ }}`, `{{ namespace.__globals__ }}`, `{{ os }}`,
	}
	for _, p := range probes {
		out, err := Render(p, oneMsg, Options{})
		if err != nil || out != "" {
			t.Errorf("%s = %q, %v; want empty output", p, out, err)
		}
	}
	// A function value prints as a marker, never a Go pointer or type name.
	out, err := Render(`{{ range }}|{{ messages[0].role.upper }}`, oneMsg, Options{})
	if err != nil || out != "[function range]|[function upper]" {
		t.Errorf("function printing = %q, %v", out, err)
	}
}

// TestRealisticLoadFitsBudget checks that the budget is not too tight: a
// 2,000-message conversation with the real Qwen3 template renders.
func TestRealisticLoadFitsBudget(t *testing.T) {
	tmpl := readTemplate(t, "qwen3")
	msgs := make([]llm.Message, 0, 2000)
	for i := 0; i < 1000; i++ {
		msgs = append(msgs, llm.Message{Role: "user", Content: strings.Repeat("question ", 50)},
			llm.Message{Role: "assistant", Content: strings.Repeat("answer ", 50)})
	}
	start := time.Now()
	out, err := Render(tmpl, msgs, Options{AddGenerationPrompt: true})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(out, "<|im_start|>assistant\n") || strings.Count(out, "<|im_start|>") != 2001 {
		t.Fatalf("unexpected render (%d bytes)", len(out))
	}
	t.Logf("2000 messages, %d bytes, %v", len(out), time.Since(start))
}

func TestSemantics(t *testing.T) {
	// Where the reference JS renderer departs from Python Jinja2 (which is
	// what transformers and llama.cpp follow), we follow Python.
	cases := []struct{ tmpl, want string }{
		{`{{ '--x--'.strip('-') }}|{{ 'xxab'.lstrip('x') }}|{{ 'abyy'.rstrip('y') }}`, "x|ab|ab"},
		{`{{ 'hELLO wORLD' | capitalize }}`, "Hello world"},
		{`{{ -7 % 3 }} {{ 7 % -3 }} {{ -7 // 2 }}`, "2 -2 -4"},
		{`{{ '🥞é' | length }}`, "2"},
		{`{{ 'hello'.find('l') }} {{ 'hello'.find('z') }}`, "2 -1"},
		{`{{ -3 | abs }}`, "3"},
		{`{{ 'a  b c'.split(none, 1) | tojson }}`, `["a", "b c"]`},
		{`{{ 'abc'[5] is undefined }} {{ [1][-2] is undefined }}`, "true true"},
		{`{{ [1, 2, 3][::-2] }} {{ 'abcdef'[-100:2] }} {{ 'abc'[1:-100] }}`, "[3, 1] ab "},
		{`{{ x is not defined }} {{ none is none }} {{ 1 if false }}`, "true true "},
		{`{{ 'a' ~ none ~ 1.0 }}`, "a1.0"},
		{`{{ {'a': 1}.get('b', 2) }} {{ {'a': 1}.get('b') }}`, "2 "},
		{`{{ range(3) | list }} {{ range(5, 0, -2) | join(',') }}`, "[0, 1, 2] 5,3,1"},
		{`{% set a, b = [1, 2] %}{{ b }}{{ a }}`, "21"},
		{`{{ 9223372036854775807 + 1 }}`, "9223372036854775808.0"},
		{`{{ strftime_now('%A %a %y %S') }}`, "Friday Fri 25 00"},
		{`{{ [{'x': 2}, {'x': 1}] | sort(attribute='x') | map(attribute='x') | join }}`, "12"},
		{`{% for c in 'hé' %}[{{ c }}]{% endfor %}`, "[h][é]"},
		{`{{ 'hé'[-1] }}{{ 'hé'[1] }}{{ 'hé'[-3] is undefined }}{{ ''[-1] is undefined }}`, "éétruetrue"},
	}
	for _, c := range cases {
		t.Run(c.tmpl, func(t *testing.T) {
			got, err := Render(c.tmpl, oneMsg, Options{Now: goldenNow})
			if err != nil || got != c.want {
				t.Errorf("%s = %q, %v; want %q", c.tmpl, got, err, c.want)
			}
		})
	}
}

func TestTemplateErrors(t *testing.T) {
	bad := []string{
		`{{ }}`, `{% if %}`, `{% endfor %}`, `{{ 'unterminated }}`, `{% for in x %}{% endfor %}`,
		`{{ x | nofilter }}`, `{{ x is notatest }}`, `{{ 1 / 0 }}`, `{{ [1][0:1:0] }}`,
		`{% set x = 1 %}{{ x() }}`, `{{ 'a' - 1 }}`, `{% break %}`, `{% unknown %}`, `{# open`,
		`{{ '\q' }}`, `{{ {1: 2} }}`, `{{ range(1, 2, 0) }}`, `{{ none + 1 }}`,
	}
	for _, b := range bad {
		if out, err := Render(b, oneMsg, Options{}); err == nil {
			t.Errorf("%s rendered %q, want an error", b, out)
		}
	}
	if _, err := RenderJSON(`x`, []byte(`[1]`), Options{}); err == nil {
		t.Error("RenderJSON accepted a non-object")
	}
	if _, err := Render(`x`, nil, Options{Vars: []byte(`{bad`)}); err == nil {
		t.Error("Render accepted invalid Options.Vars")
	}
	out, err := Render(`{{ enable_thinking }}`, nil, Options{Vars: []byte(`{"enable_thinking": false}`)})
	if err != nil || out != "false" {
		t.Errorf("Options.Vars: %q, %v", out, err)
	}
}

func TestIsRaised(t *testing.T) {
	_, err := Render(readTemplate(t, "gemma3"), []llm.Message{{Role: "user", Content: "a"}, {Role: "user", Content: "b"}}, Options{})
	if !IsRaised(err) {
		t.Fatalf("gemma3 with two user turns: %v, want a raised exception", err)
	}
	if IsRaised(errors.New("other")) {
		t.Fatal("IsRaised(other)")
	}
}
