package chat

import (
	"errors"
	"fmt"
	"strings"

	"github.com/plumewriter/plume/internal/llm"
)

// Fallback templates, written for Plume, used when a GGUF carries no
// tokenizer.chat_template or one this package cannot run (see Select). Each
// follows its family's published prompt format.
var builtins = map[string]string{
	// ChatML: Qwen2/2.5/3, SmolLM2, many fine-tunes.
	"chatml": `{%- for message in messages -%}
{{- '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>\n' -}}
{%- endfor -%}
{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\n' -}}{%- endif -%}`,

	// Llama 3.x header format.
	"llama3": `{{- bos_token -}}
{%- for message in messages -%}
{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n' + message['content'] | trim + '<|eot_id|>' -}}
{%- endfor -%}
{%- if add_generation_prompt -%}{{- '<|start_header_id|>assistant<|end_header_id|>\n\n' -}}{%- endif -%}`,

	// Llama 2 chat: the system prompt goes inside the first [INST] block.
	"llama2": `{%- if messages and messages[0]['role'] == 'system' -%}
{%- set system = messages[0]['content'] -%}{%- set loop_messages = messages[1:] -%}
{%- else -%}{%- set system = '' -%}{%- set loop_messages = messages -%}{%- endif -%}
{%- for message in loop_messages -%}
{%- if message['role'] == 'user' -%}
{%- if loop.first and system -%}{%- set content = '<<SYS>>\n' + system + '\n<</SYS>>\n\n' + message['content'] -%}
{%- else -%}{%- set content = message['content'] -%}{%- endif -%}
{{- bos_token + '[INST] ' + content | trim + ' [/INST]' -}}
{%- elif message['role'] == 'assistant' -%}
{{- ' ' + message['content'] | trim + ' ' + eos_token -}}
{%- endif -%}
{%- endfor -%}`,

	// Gemma 1/2/3: no system role; the system text prefixes the first turn.
	"gemma": `{{- bos_token -}}
{%- if messages and messages[0]['role'] == 'system' -%}
{%- set prefix = messages[0]['content'] | trim + '\n\n' -%}{%- set loop_messages = messages[1:] -%}
{%- else -%}{%- set prefix = '' -%}{%- set loop_messages = messages -%}{%- endif -%}
{%- for message in loop_messages -%}
{%- set role = 'model' if message['role'] == 'assistant' else message['role'] -%}
{{- '<start_of_turn>' + role + '\n' + (prefix if loop.first else '') + message['content'] | trim + '<end_of_turn>\n' -}}
{%- endfor -%}
{%- if add_generation_prompt -%}{{- '<start_of_turn>model\n' -}}{%- endif -%}`,

	// Phi-3 / Phi-3.5.
	"phi3": `{%- for message in messages -%}
{{- '<|' + message['role'] + '|>\n' + message['content'] + '<|end|>\n' -}}
{%- endfor -%}
{%- if add_generation_prompt -%}{{- '<|assistant|>\n' -}}{%- endif -%}`,

	// Zephyr (also TinyLlama-chat).
	"zephyr": `{%- for message in messages -%}
{{- '<|' + message['role'] + '|>\n' + message['content'] + eos_token + '\n' -}}
{%- endfor -%}
{%- if add_generation_prompt -%}{{- '<|assistant|>\n' -}}{%- endif -%}`,

	// Mistral [INST] format; the system text prefixes the first user turn.
	"mistral": `{{- bos_token -}}
{%- if messages and messages[0]['role'] == 'system' -%}
{%- set system = messages[0]['content'] + '\n\n' -%}{%- set loop_messages = messages[1:] -%}
{%- else -%}{%- set system = '' -%}{%- set loop_messages = messages -%}{%- endif -%}
{%- for message in loop_messages -%}
{%- if message['role'] == 'user' -%}{{- '[INST] ' + (system if loop.first else '') + message['content'] + ' [/INST]' -}}
{%- elif message['role'] == 'assistant' -%}{{- message['content'] + eos_token -}}
{%- endif -%}
{%- endfor -%}`,

	// Plain: for base models without a chat format (TinyStories and other
	// story/completion models). The message texts are joined with newlines and
	// nothing else is added, so a one-message conversation renders as the
	// user's text verbatim and the model simply continues it.
	"plain": `{%- for message in messages -%}
{{- message['content'] -}}{%- if not loop.last -%}{{- '\n' -}}{%- endif -%}
{%- endfor -%}`,
}

// Builtin returns the fallback template of a family: "chatml", "llama3",
// "llama2", "gemma", "phi3", "zephyr", "mistral" or "plain".
func Builtin(family string) (string, bool) {
	t, ok := builtins[family]
	return t, ok
}

// Family picks the fallback family for a model from its GGUF
// general.architecture and tokenizer.ggml.pre values:
//
//   - llama + llama-bpe/llama3 → llama3; llama + tekken → mistral;
//     llama + smollm → chatml; llama with an SPM vocabulary (no pre) → plain,
//     because a llama-architecture GGUF that ships no chat template is almost
//     always a base model (TinyStories, Llama 2 base), not Llama 2 chat;
//   - qwen2, qwen2moe, qwen3, qwen3moe → chatml;
//   - gemma, gemma2, gemma3 → gemma; phi3 → phi3;
//   - anything else → plain.
func Family(arch, pre string) string {
	arch, pre = strings.ToLower(arch), strings.ToLower(pre)
	switch arch {
	case "llama":
		switch pre {
		case "llama-bpe", "llama3", "llama-v3":
			return "llama3"
		case "tekken":
			return "mistral"
		case "smollm":
			return "chatml"
		}
		return "plain"
	case "qwen2", "qwen2moe", "qwen3", "qwen3moe":
		return "chatml"
	case "gemma", "gemma2", "gemma3":
		return "gemma"
	case "phi3":
		return "phi3"
	}
	return "plain"
}

// ForModel returns the source of the template to use for a model (see
// Select, which also says why a GGUF template was not used).
func ForModel(ggufTemplate, arch, pre string) string {
	return Select(ggufTemplate, arch, pre).Source
}

// Choice is the chat template chosen for a model.
type Choice struct {
	Template *Template // compiled, ready to render
	Source   string
	// Family is the builtin family used, "" when the model's own template is.
	Family string
	// Fallback says why the model's own template was not used (nil when it
	// was, or when the model has none).
	Fallback error
}

// Warning is the message to show the user when the model's own template was
// replaced by a builtin, "" otherwise.
func (c Choice) Warning() string {
	if c.Fallback == nil {
		return ""
	}
	return fmt.Sprintf("chat template: the model's tokenizer.chat_template cannot be used (%v); using Plume's built-in %s template instead",
		c.Fallback, c.Family)
}

// probeMessages is the conversation every chat template must accept: one
// user turn (what llama.cpp renders to check a template).
var probeMessages = []llm.Message{{Role: "user", Content: "Hello"}}

// Select picks the template of a model: its own GGUF template when present
// and usable by the sandbox, else the builtin of Family(arch, pre). A model
// template is usable when it parses and renders probeMessages; a template
// that rejects them on purpose (raise_exception) is kept, since that is the
// template's rule and not a gap of this interpreter. A fallback keeps the
// model usable, and Fallback says why it was needed.
func Select(ggufTemplate, arch, pre string) Choice {
	var reason error
	if strings.TrimSpace(ggufTemplate) != "" {
		t, err := probe(ggufTemplate)
		if err == nil {
			return Choice{Template: t, Source: ggufTemplate}
		}
		reason = err
	}
	fam := Family(arch, pre)
	src, _ := Builtin(fam)
	body, err := parse(src)
	if err != nil { // the builtins are tested to parse
		panic(fmt.Sprintf("chat: builtin %s template: %v", fam, err))
	}
	return Choice{Template: &Template{body: body}, Source: src, Family: fam, Fallback: reason}
}

// probe compiles src and renders probeMessages with it. Its errors do not
// repeat the "chat template:" prefix, since Choice.Warning names it.
func probe(src string) (*Template, error) {
	body, err := parse(src)
	if err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	t := &Template{body: body}
	_, err = t.exec(map[string]value{"messages": messagesValue(probeMessages)}, Options{AddGenerationPrompt: true})
	if err != nil && !errors.Is(err, errRaised) {
		return nil, fmt.Errorf("render: %w", err)
	}
	return t, nil
}
