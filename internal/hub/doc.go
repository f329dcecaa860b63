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
//   - Metadata bodies are read with a size cap and every network step has a
//     timeout.
//
// Resolve is the entry point other packages use: it maps any model reference
// (alias, hf.co/ORG/REPO[:QUANT], ORG/REPO/FILE.gguf[@REV], local path) to a
// verified local file, pulling it when asked to.
package hub
