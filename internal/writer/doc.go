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
//
// # Running an article
//
// Run is the whole life of one article, shared by plume write and the
// server: it validates the inputs, opens the generator through the
// caller's OpenFunc, creates and locks the library row, runs the pipeline
// with a checkpoint after every step, and writes the article file and its
// manifest (temporary files, fsync, manifest renamed first, so an article
// never exists without its manifest) and a library revision. A run that
// fails or is cancelled leaves the row failed or interrupted; Run with
// RunOptions.Resume continues it with the settings recorded in the
// checkpoint (output directory, format, backend and every input) and
// refuses a given setting that contradicts them (ErrResumeConflict). A
// name already taken in the output directory gives SLUG-2, which the front
// matter, the canonical link and the JSON-LD url carry too.
//
// # Provenance and replay
//
// The manifest (Manifest, written as ARTICLE.plume.json) records the model
// (reference, file SHA-256, repository commit, licence, backend, engine
// version), the inputs (notes included) and the article date, every call
// with its exact messages, JSON schema, sampling settings, derived seed,
// token counts and output, the per-sentence mean token probability of the
// final text, the quality report and the IPTC digitalSourceType marking.
// Everything that legitimately varies between two runs of the same inputs
// lives in its "run" section: wall-clock and engine timings (they depend on
// the machine and its load), the model's local path (it depends on the
// cache location) and whether the run was resumed. Replay compares the
// Markdown's SHA-256 and the manifest without "run", byte for byte.
//
// # Grounded articles
//
// With Options.Sources (plume write --source), the sources are split into
// passages (package retrieve); the outline prompt gets the passages that
// match the topic and brief, each section prompt those that match its
// heading and key points (BM25), and drafting cites them as [n]. A cite
// stage between review and metadata checks every citation (package
// citation: the model's grammar-constrained verdict and a lexical floor) and
// takes out the unsupported ones; with StrictCitations the revise pass
// rewrites those sentences first. The article ends with a References
// section of the cited sources only, the quality report gains a citation
// part, and the manifest a grounding record (passages, what each prompt was
// given, every verdict). The sources' text is part of the inputs, so a
// replay needs no network.
//
// # Sizing to the context
//
// Every prompt is measured with the generator's tokenizer before it is sent:
// the running summary loses its oldest lines and then the notes are cut
// until the prompt and its answer budget fit the context window, and each cut
// is reported as a warning (recorded in the manifest). Structured answers are
// sized the other way round: their schema limits (sections, points, lengths)
// are shrunk until the schema's worst case fits the answer budget (see
// Bounds), so that grammar-constrained decoding can always close the JSON.
// The window itself comes from the plan (Pipeline.Plan): the longest call's
// prompt plus its full answer budget. A generator whose window its caller
// chooses (llm.ContextSizer: the local engine) is asked for that window,
// within the model's trained window and the machine's memory, so the limits
// shrink only when one of those (or --ctx) requires it, and a warning names
// which. Pipeline.Preflight refuses, before any generation, a window too
// small for the smallest plan.
//
// # Language detection
//
// Without --lang the language comes from DetectLanguage: French and English
// stop words, elided French articles (l', d', qu') and French diacritics are
// counted in the topic and notes; the higher count wins and a tie or no
// evidence gives English.
package writer
