package chat

import "strings"

// Fallback templates, written for Plume, used when a GGUF carries no
// tokenizer.chat_template. Each follows its family's published prompt format.
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

// ForModel returns the template to use for a model: its own GGUF template
// when present and parseable by the sandbox, else the fallback of
// Family(arch, pre). A template the sandbox cannot parse falls back too, so a
// model stays usable; callers that need to know compare the result with
// ggufTemplate.
func ForModel(ggufTemplate, arch, pre string) string {
	if strings.TrimSpace(ggufTemplate) != "" {
		if _, err := Compile(ggufTemplate); err == nil {
			return ggufTemplate
		}
	}
	t, _ := Builtin(Family(arch, pre))
	return t
}
