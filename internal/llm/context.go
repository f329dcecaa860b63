package llm

// What limits a generator's context window (ContextSizer.ContextLimit).
const (
	LimitTrained = "the model's trained window"
	LimitMemory  = "this machine's memory"
	LimitCaller  = "the context length asked for (--ctx)"
	// LimitBackend is the window a generator that is not a ContextSizer
	// reports (a remote server's): its caller cannot change it.
	LimitBackend = "the backend's context window"
)

// ContextSizer is a Generator whose context window its caller chooses (the
// local engine allocates a KV cache of that size): the writer asks for the
// window its plan needs instead of planning inside a default.
type ContextSizer interface {
	// ContextLimit is the largest window the generator can give, and
	// which of the Limit* reasons sets it.
	ContextLimit() (tokens int, limit string)
	// SetContextLength sets the window of the next calls; Info's
	// ContextLength reports it.
	SetContextLength(tokens int) error
}
