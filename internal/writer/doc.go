// Package writer turns a topic into a publishable blog article through an
// outline-first pipeline: brief → outline (JSON) → section-by-section drafts
// (streamed, each given the outline and a running summary) → review and
// revise → metadata (JSON) → Markdown with YAML front matter, an optional
// HTML rendering, a quality report and a provenance manifest.
//
// Every generation goes through llm.Generator, so the local engine and remote
// OpenAI-compatible servers run the same code. Structured steps set
// Request.JSONSchema (grammar-constrained on the local engine) and are always
// validated, with a bounded repair retry.
//
// Runs are deterministic: each call's seed is derived from the user's seed and
// the call's fixed position in the pipeline, nothing depends on map order or
// on the wall clock (the article date comes from an injectable clock and is
// recorded), so the same model, inputs, settings and seed give byte-identical
// output. The pipeline state is checkpointed after every finished step, which
// is what lets an interrupted run resume from the last finished section.
package writer
