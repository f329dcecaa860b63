package hub

// Event kinds reported through the progress callback.
const (
	EventResolve  = "resolve"  // file chosen, metadata read
	EventWait     = "wait"     // another process holds the download lock
	EventReuse    = "reuse"    // the blob is already in the cache
	EventStart    = "start"    // downloading (Completed > 0 means resumed)
	EventProgress = "progress" // bytes written so far
	EventRetry    = "retry"    // a transient error; waiting before the next attempt
	EventRestart  = "restart"  // the server ignored Range: starting over
	EventVerify   = "verify"   // hashing an existing file
	EventDone     = "done"     // verified and in place
)

// Event reports pull progress. It marshals to one NDJSON line.
type Event struct {
	Type      string `json:"event"`
	Repo      string `json:"repo,omitempty"`
	File      string `json:"file,omitempty"`
	Revision  string `json:"revision,omitempty"`
	Commit    string `json:"commit,omitempty"`
	SHA256    string `json:"sha256,omitempty"`
	Total     int64  `json:"total,omitempty"`
	Completed int64  `json:"completed,omitempty"`
	Attempt   int    `json:"attempt,omitempty"`  // this retry's attempt number (the first try is 1)
	Attempts  int    `json:"attempts,omitempty"` // at most this many attempts
	WaitMS    int64  `json:"wait_ms,omitempty"`
	Error     string `json:"error,omitempty"`
	Path      string `json:"path,omitempty"`
}
