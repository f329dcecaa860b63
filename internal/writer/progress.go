package writer

import (
	"time"

	"github.com/plumewriter/plume/internal/llm"
)

// Event types.
const (
	EventStage   = "stage"   // a stage starts
	EventToken   = "token"   // a drafting token (Text) with speed and ETA
	EventPart    = "part"    // a part is finished
	EventCall    = "call"    // a model call is finished: prompt tokens sent and evaluated, tokens generated
	EventWarning = "warning" // a cut to fit the context, a repair…
	EventDone    = "done"
)

// tokenEventEvery throttles token events for non-streaming stages: one
// every 16 tokens is enough for a progress line.
const tokenEventEvery = 16

// Event reports progress. With --json each one is printed as an NDJSON line.
type Event struct {
	Type    string `json:"type"`
	Stage   string `json:"stage,omitempty"`
	Part    int    `json:"part,omitempty"`  // 1-based, for display
	Parts   int    `json:"parts,omitempty"` // total parts
	Heading string `json:"heading,omitempty"`
	Text    string `json:"text,omitempty"`
	Tokens  int    `json:"tokens,omitempty"` // generated so far in this call
	// PromptTokens and PromptEvaluated are a finished call's prompt length
	// and how much of it the model evaluated (the rest came from its
	// prompt cache; 0 when the backend does not say).
	PromptTokens    int     `json:"prompt_tokens,omitempty"`
	PromptEvaluated int     `json:"prompt_evaluated,omitempty"`
	TokensPerSec    float64 `json:"tokens_per_sec,omitempty"`
	ETASeconds      float64 `json:"eta_seconds,omitempty"` // remaining drafting, estimated
	Message         string  `json:"message,omitempty"`
}

func (r *run) emit(e Event) {
	if r.p.Events != nil {
		r.p.Events(e)
	}
}

func (r *run) warn(msg string) {
	if contains(r.st.Warnings, msg) {
		return // the same cut, again (each review part, a re-rendered prompt)
	}
	r.st.Warnings = append(r.st.Warnings, msg)
	r.emit(Event{Type: EventWarning, Message: msg})
}

// Warner is implemented by generators that have something to tell the user
// about their model, such as a chat template replaced by a builtin one (the
// local engine's Generator does).
type Warner interface {
	Warnings() []string
}

// modelWarnings reports the generator's warnings on every run, resumed ones
// included, and records each once in the state (and so in the manifest).
func (r *run) modelWarnings() {
	w, ok := r.p.Gen.(Warner)
	if !ok {
		return
	}
	for _, msg := range w.Warnings() {
		if !contains(r.st.Warnings, msg) {
			r.st.Warnings = append(r.st.Warnings, msg)
		}
		r.emit(Event{Type: EventWarning, Message: msg})
	}
}

// tokenProgress turns a call's tokens into progress events.
type tokenProgress struct {
	r       *run
	spec    callSpec
	start   time.Time
	n       int
	pending int // tokens still to draft after this call (estimate)
}

func (r *run) newTokenProgress(spec callSpec) *tokenProgress {
	pending := 0
	if spec.Stage == StageDraft {
		for i := spec.Part + 1; i < len(r.st.Parts); i++ {
			pending += r.st.Parts[i].Words * TokensPerWord
		}
	}
	return &tokenProgress{r: r, spec: spec, start: time.Now(), pending: pending}
}

func (tp *tokenProgress) token(t llm.Token) {
	tp.n++
	if !tp.spec.Stream && tp.n%tokenEventEvery != 0 {
		return
	}
	e := Event{Type: EventToken, Stage: tp.spec.Stage, Text: t.Text, Tokens: tp.n}
	if tp.spec.Part >= 0 {
		e.Part, e.Parts = tp.spec.Part+1, len(tp.r.st.Parts)
	}
	if el := time.Since(tp.start).Seconds(); el > 0 {
		e.TokensPerSec = float64(tp.n) / el
		if left := tp.spec.Max - tp.n; tp.spec.Stage == StageDraft && e.TokensPerSec > 0 {
			if left < 0 {
				left = 0
			}
			e.ETASeconds = float64(left+tp.pending) / e.TokensPerSec
		}
	}
	tp.r.emit(e)
}
