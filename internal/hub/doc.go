// Package hub pulls GGUF models from the Hugging Face Hub into a local,
// sha256-verified store that uses huggingface_hub's cache layout:
//
//	$HF_HUB_CACHE/models--ORG--REPO/blobs/<sha256>
//	$HF_HUB_CACHE/models--ORG--REPO/snapshots/<commit>/<file> -> ../../blobs/<sha256>
//	$HF_HUB_CACHE/models--ORG--REPO/refs/<revision>            (holds <commit>)
//
// so models fetched by huggingface_hub or llama.cpp are found and reused in
// place, and models Plume pulls are visible to them.
//
// Safety rules (DESIGN.md security promises):
//   - Every repository, file and revision name goes through checkName before it
//     touches a path, and every file operation goes through an os.Root opened
//     at the cache directory, so no name can reach outside the store.
//   - A blob is downloaded to blobs/<sha256>.incomplete while being hashed and
//     becomes usable only after its size and sha256 match what the hub
//     announced (X-Linked-Size, X-Linked-Etag); then it is fsynced and renamed.
//     A mismatch deletes the partial file.
//   - Downloads resume with Range after a drop, retry transient errors with
//     backoff, and are serialised per blob with a file lock.
//   - The token is sent only to the hub's own host, never to the CDN it
//     redirects to; redirects to plain HTTP are refused except to loopback.
//   - Redirects go only to the hub's host or to PLUME_HUB_HOSTS (Hugging
//     Face's CDN by default); a loop is an error at once. Every connection is
//     checked at dial time, after DNS, so a name that resolves (or rebinds) to
//     a loopback, private, link-local or unique-local address is refused,
//     unless the configured endpoint is itself in that class (tests, mirrors).
//   - A hub that cannot be reached (no such host, connection refused) is
//     retried once, quickly, then reported as ErrUnreachable.
//   - A download checks the free disk space first (size plus DiskMargin,
//     ErrNoSpace), stops at the first byte past the announced size, and drops
//     a connection slower than MinDownloadRate over RateWindow, then resumes.
//     Finished blobs are read-only (0444); Partials and GC show and remove
//     what interrupted downloads left.
//   - Metadata bodies are read with a size cap and every network step has a
//     timeout.
//
// Resolve is the entry point other packages use: it maps any model reference
// (alias, hf.co/ORG/REPO[:QUANT], ORG/REPO/FILE.gguf[@REV], local path) to a
// verified local file, pulling it when asked to.
package hub
