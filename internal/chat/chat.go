package chat

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/plumewriter/plume/internal/llm"
)

// Sandbox limits. A chat template comes from a downloaded model file, so it is
// untrusted code (CVE-2024-34359): every way it could spend CPU, memory or
// stack is capped, and exceeding a cap is an error wrapping ErrBudget.
const (
	// MaxTemplateBytes caps template source; real templates are under 40 KiB.
	MaxTemplateBytes = 256 << 10
	// MaxTokens caps the lexer's output, bounding parse work and AST memory.
	MaxTokens = 100_000
	// MaxNesting caps parser recursion (nested blocks, parentheses, unary
	// chains) and JSON nesting, so hostile input cannot overflow the stack.
	MaxNesting = 128
	// MaxCallDepth caps macro recursion (a macro calling itself).
	MaxCallDepth = 32
	// MaxSteps caps evaluation work: one step per statement or expression
	// node evaluated, per filter item. A 1,000-message Qwen3 conversation
	// takes about 200,000 steps.
	MaxSteps = 2_000_000
	// MaxRenderTime is a second, wall-clock guard checked cooperatively
	// between steps (no goroutine is ever left running).
	MaxRenderTime = 2 * time.Second
	// MaxOutputBytes caps the rendered prompt: 4 MiB is ~1M tokens, far
	// beyond any context window.
	MaxOutputBytes = 4 << 20
	// MaxStringBytes caps any single string value built during a render.
	MaxStringBytes = 4 << 20
	// MaxListLen caps any list built during a render (concatenation, split).
	MaxListLen = 100_000
	// MaxRange caps range(): enough for any real loop over messages.
	MaxRange = 100_000
	// MaxAllocBytes caps the total bytes of strings and lists created in one
	// render, so repeated near-cap allocations cannot exhaust memory.
	MaxAllocBytes = 64 << 20
)

// Options are the variables a render sees besides the messages.
type Options struct {
	AddGenerationPrompt bool
	BOS, EOS            string // bos_token and eos_token
	// Now is what strftime_now formats; zero means the current time.
	Now time.Time
	// Vars is an optional JSON object of extra variables, for example
	// {"enable_thinking": false} or {"tools": [...]}. Object key order is kept.
	Vars json.RawMessage
}

// Template is a parsed chat template, safe for concurrent renders.
type Template struct {
	body []stmt
}

// Compile parses a template.
func Compile(tmpl string) (*Template, error) {
	body, err := parse(tmpl)
	if err != nil {
		return nil, fmt.Errorf("chat template: %w", err)
	}
	return &Template{body: body}, nil
}

// Render renders tmpl for msgs inside the sandbox.
func Render(tmpl string, msgs []llm.Message, opts Options) (string, error) {
	t, err := Compile(tmpl)
	if err != nil {
		return "", err
	}
	return t.Render(msgs, opts)
}

// Render renders the template for msgs inside the sandbox.
func (t *Template) Render(msgs []llm.Message, opts Options) (string, error) {
	return t.render(map[string]value{"messages": messagesValue(msgs)}, opts)
}

// messagesValue converts msgs to the interpreter's values.
func messagesValue(msgs []llm.Message) *listV {
	list := &listV{items: make([]value, len(msgs))}
	for i, m := range msgs {
		mv := newMap()
		mv.set("role", m.Role)
		mv.set("content", m.Content)
		list.items[i] = mv
	}
	return list
}

// RenderJSON renders tmpl with variables from a JSON object (for example
// {"messages": [...], "tools": [...]}), for conversations that carry more
// than role and content (tool calls, reasoning). Options.Vars is merged too.
func RenderJSON(tmpl string, vars []byte, opts Options) (string, error) {
	t, err := Compile(tmpl)
	if err != nil {
		return "", err
	}
	v, err := fromJSON(vars)
	if err != nil {
		return "", fmt.Errorf("chat template variables: %w", err)
	}
	m, ok := v.(*mapV)
	if !ok {
		return "", fmt.Errorf("chat template variables: want a JSON object, got %s", typeName(v))
	}
	return t.render(m.m, opts)
}

func (t *Template) render(vars map[string]value, opts Options) (string, error) {
	out, err := t.exec(vars, opts)
	if err != nil {
		return "", fmt.Errorf("chat template: %w", err)
	}
	return out, nil
}

// exec is render without the "chat template:" prefix on its errors.
func (t *Template) exec(vars map[string]value, opts Options) (string, error) {
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	it := &interp{
		maxSteps: MaxSteps,
		deadline: time.Now().Add(MaxRenderTime),
		maxOut:   MaxOutputBytes,
		now:      now,
	}
	global := newScope(nil)
	for k, v := range it.globals() {
		global.vars[k] = v
	}
	global.vars["add_generation_prompt"] = opts.AddGenerationPrompt
	global.vars["bos_token"] = opts.BOS
	global.vars["eos_token"] = opts.EOS
	if len(opts.Vars) > 0 {
		v, err := fromJSON(opts.Vars)
		if err != nil {
			return "", fmt.Errorf("Options.Vars: %w", err)
		}
		m, ok := v.(*mapV)
		if !ok {
			return "", fmt.Errorf("Options.Vars: want a JSON object, got %s", typeName(v))
		}
		for _, k := range m.keys {
			global.vars[k] = m.m[k]
		}
	}
	for k, v := range vars {
		global.vars[k] = v
	}
	var out strings.Builder
	err := it.execBlock(t.body, newScope(global), &out)
	if errors.Is(err, errBreak) || errors.Is(err, errContinue) {
		err = fmt.Errorf("break/continue outside a loop")
	}
	if err != nil {
		return "", err
	}
	return out.String(), nil
}

// IsRaised reports whether err came from the template's raise_exception(),
// i.e. the template rejected the conversation (e.g. roles not alternating).
func IsRaised(err error) bool { return errors.Is(err, errRaised) }
