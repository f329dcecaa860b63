// Package prompts holds the writer's prompt templates, one text/template file
// per pipeline stage and per language (en, fr), embedded in the binary. The
// templates see the writer's prompt data (topic, audience, tone, outline,
// running summary…); whitespace is normalised after rendering so that the
// prompts, which are recorded in every provenance manifest, are stable.
package prompts
