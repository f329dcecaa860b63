// Package store is Plume's article library: an embedded SQLite database
// (modernc.org/sqlite, pure Go) holding every article, its pipeline
// checkpoint, its sections, and its finished revisions with their
// provenance manifests.
//
// The store knows nothing of the writer's types: checkpoints and manifests
// are opaque JSON. Every write is one transaction, so a crash leaves either
// the previous checkpoint or the new one, never half of each; the writer
// commits each finished section before starting the next, which is what
// makes `plume write --resume` work.
package store
