// Package chat renders chat templates (the Jinja2 text a GGUF stores under
// tokenizer.chat_template) into prompts, inside a sandbox.
//
// A template from a downloaded model is untrusted code (CVE-2024-34359, where
// a Jinja template escaped Python's sandbox). This package therefore has its
// own interpreter for the Jinja subset that chat templates use (lexer, parser
// and tree-walking evaluator) rather than a general engine:
//
//   - templates only ever see copies of the conversation in the
//     interpreter's own value types (strings, numbers, lists, ordered maps);
//     no Go value, method or reflection is reachable, and unknown attributes
//     such as __class__ are simply undefined;
//   - every statement, expression node, loop iteration and filter item costs
//     a step (MaxSteps), the wall clock is checked between steps
//     (MaxRenderTime), and output, string, list, range, allocation, macro
//     recursion and parser nesting are all capped; exceeding a cap returns an
//     error wrapping ErrBudget. No goroutine is used, so nothing leaks.
//
// Rendering follows the reference renderer used by transformers.js
// (@huggingface/jinja): trim_blocks and lstrip_blocks are on, a final newline
// is dropped, JSON keeps key order. Where that renderer departs from Python
// Jinja2 (str.strip(chars), capitalize, modulo of negatives, UTF-16 lengths)
// this package follows Python, as transformers and llama.cpp do.
//
// Select (and ForModel) picks the GGUF's own template or, when it has none
// or this interpreter cannot run it, a builtin fallback by family (see
// Family and Builtin); Choice.Warning then says why, for the user.
package chat
