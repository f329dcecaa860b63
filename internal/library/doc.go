// Package library is Plume's article library: an embedded SQLite database
// (modernc.org/sqlite, pure Go) holding every article, its pipeline
// checkpoint, its sections, and its finished revisions with their
// provenance manifests.
//
// The library knows nothing of the writer's types: checkpoints and manifests
// are opaque JSON. Every write is one transaction, so a crash leaves either
// the previous checkpoint or the new one, never half of each; the writer
// commits each finished section before starting the next, which is what
// makes `plume write --resume` work.
//
// One process at a time writes an article: LockArticle takes an exclusive
// kernel file lock (flock, or LockFileEx on Windows) under DATA/locks/,
// which the kernel releases whenever the process ends, however it ends.
// The lock file is removed by Unlock, so lock files do not pile up.
// Statuses: running (a live writer holds its lock; a row left running by a
// process that died reads as interrupted), interrupted (Ctrl-C or a dead
// writer), failed (an error), outline (stopped after the outline), done;
// all but done are resumable.
//
// Reading commands open the library with OpenReadOnly: nothing is created
// or migrated, so they work on a read-only or full disk.
package library
