package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/plumewriter/plume/internal/config"
	"github.com/plumewriter/plume/internal/engine"
	"github.com/plumewriter/plume/internal/hub"
	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/sample"
	"github.com/plumewriter/plume/internal/tensor"
	"github.com/plumewriter/plume/internal/termsafe"
)

// Defaults and limits of plume run.
const (
	// defaultRunTokens is -n's default: a paragraph, quick on any model.
	defaultRunTokens = 128
	// maxPromptBytes caps a prompt read from standard input (4 MiB, far
	// beyond any context window).
	maxPromptBytes = 4 << 20
)

type runFlags struct {
	model, prompt, promptIDs string
	kv                       string
	chat, asJSON, echo       bool
	n, threads, logprobs     int
	ctxLen                   int
	temperature, topP        float32
	topK                     int
	seed                     string // --seed as given ("" = random, see parseSeed)
	seedUsed                 uint64 // the seed sampled with, reported in --json
}

func newRunCmd() *cobra.Command {
	var fl runFlags
	cmd := &cobra.Command{
		Use:   "run [REF] [--model REF] [--prompt TEXT]",
		Short: "Generate text from a prompt with the local engine",
		Long: `Run a GGUF model on a prompt with Plume's own engine and stream the generated text.
REF (or --model) is a local .gguf path or a hub reference (hf.co/ORG/REPO[:QUANT], an alias…),
pulled into the local store when missing. Without --prompt or --prompt-ids the prompt is read
from standard input. --chat wraps the prompt in the model's chat template as a user message.
--temperature 0 is greedy decoding. --json prints one JSON object with the prompt token ids,
every generated token with its log-probability (and --logprobs K alternatives), and timings;
--echo adds the teacher-forced log-probability of each prompt token (-n 0 to score only).`,
		Args: usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := modelArg(args, &fl.model); err != nil {
				return err
			}
			return runRun(cmd, fl)
		},
	}
	f := cmd.Flags()
	d := sample.DefaultParams()
	f.StringVar(&fl.model, "model", "", "model: local .gguf path or hub reference")
	f.StringVar(&fl.prompt, "prompt", "", "prompt text (default: standard input)")
	f.StringVar(&fl.promptIDs, "prompt-ids", "", "prompt as comma-separated token ids (no tokenization, no BOS added)")
	f.BoolVar(&fl.chat, "chat", false, "render the prompt through the model's chat template")
	f.IntVarP(&fl.n, "n", "n", defaultRunTokens, "maximum number of tokens to generate")
	f.Float32Var(&fl.temperature, "temperature", d.Temperature, "sampling temperature (0 = greedy)")
	f.IntVar(&fl.topK, "top-k", d.TopK, "top-k sampling (0 = off)")
	f.Float32Var(&fl.topP, "top-p", d.TopP, "top-p sampling (1 = off)")
	f.Var(seedFlag{&fl.seed}, "seed", fmt.Sprintf(seedHelp, "in the --json output, and on stderr when sampling"))
	f.IntVar(&fl.threads, "threads", 0, "worker threads (0 = $"+config.EnvThreads+", else one per physical core)")
	f.IntVar(&fl.ctxLen, "ctx", 0, "context length (0 = min(model's, "+strconv.Itoa(engine.DefaultContextLength)+"))")
	f.StringVar(&fl.kv, "kv", "f32", "KV cache type: f32 (llama.cpp parity) or f16 (half the memory)")
	f.IntVar(&fl.logprobs, "logprobs", 0, "report this many alternatives per token (with --json)")
	f.BoolVar(&fl.asJSON, "json", false, "print one JSON object instead of streaming text")
	f.BoolVar(&fl.echo, "echo", false, "score the prompt tokens (teacher-forced log-probabilities, with --json)")
	return cmd
}

// modelArg takes the model of run and bench from their optional argument,
// the same as --model: giving both is a usage error.
func modelArg(args []string, model *string) error {
	if len(args) == 0 {
		return nil
	}
	if *model != "" {
		return usageError{errors.New("give the model either as an argument or with --model, not both")}
	}
	*model = args[0]
	return nil
}

// loadModel loads a resolved model (engine.LoadResolved: the second half
// of engine.Open), with --threads and --ctx errors as usage errors.
func loadModel(loc hub.Local, opts engine.Options) (*engine.Model, error) {
	m, err := engine.LoadResolved(loc, opts)
	if errors.Is(err, engine.ErrOptions) {
		return nil, usageError{err} // --threads, --ctx out of range
	}
	return m, err
}

// resolveModel resolves a reference to a verified local file without
// loading it (engine.Resolve), pulling it when missing.
func resolveModel(ctx context.Context, ref string, progress io.Writer) (hub.Local, error) {
	loc, err := engine.Resolve(ctx, ref, engine.OpenOptions{Config: configFrom(ctx, progress), Pull: true, Events: hubEvents(progress)})
	return loc, refError(hubAdvice(err))
}

// runOutput is the --json form of plume run.
type runOutput struct {
	Model        llm.ModelInfo `json:"model"`
	Seed         uint64        `json:"seed"`
	PromptTokens []int32       `json:"prompt_tokens"`
	Tokens       []runToken    `json:"tokens"`
	Echo         []runToken    `json:"echo,omitempty"`
	FinishReason string        `json:"finish_reason"`
	Timings      runTimings    `json:"timings"`
}

type runToken struct {
	ID          int32       `json:"id"`
	Text        string      `json:"text"`
	Logprob     float32     `json:"logprob"`
	TopLogprobs []runTopTok `json:"top_logprobs,omitempty"`
}

type runTopTok struct {
	ID      int32   `json:"id"`
	Logprob float32 `json:"logprob"`
}

type runTimings struct {
	LoadMillis       float64 `json:"load_ms"`
	PromptTokensPerS float64 `json:"prompt_tokens_per_s"`
	// PromptEvaluated is how many prompt tokens the generation evaluated;
	// with --echo, scoring has already evaluated all but the last one.
	PromptEvaluated int     `json:"prompt_evaluated"`
	GenTokensPerS   float64 `json:"gen_tokens_per_s"`
}

func (fl runFlags) validate() error {
	switch {
	case fl.model == "":
		return errors.New("a model is required (plume run REF or --model REF)")
	case fl.n < 0:
		return fmt.Errorf("-n %d: must be ≥ 0", fl.n)
	case fl.logprobs < 0 || fl.logprobs > engine.MaxTopLogprobs:
		return fmt.Errorf("--logprobs %d: want 0..%d", fl.logprobs, engine.MaxTopLogprobs)
	case fl.prompt != "" && fl.promptIDs != "":
		return errors.New("--prompt and --prompt-ids are exclusive")
	case fl.chat && fl.promptIDs != "":
		return errors.New("--chat needs a text prompt, not --prompt-ids")
	case !fl.asJSON && (fl.echo || fl.logprobs > 0):
		// Plain text output has nowhere to show them; don't drop them silently.
		return errors.New("--echo and --logprobs are reported in the JSON output: add --json")
	case fl.kv != "f32" && fl.kv != "f16":
		return fmt.Errorf("--kv %q: want f32 or f16", fl.kv)
	}
	return nil
}

func runRun(cmd *cobra.Command, fl runFlags) error {
	if err := fl.validate(); err != nil {
		return usageError{err}
	}
	params := sample.DefaultParams()
	seed, err := parseSeed(fl.seed)
	if err != nil {
		return usageError{err}
	}
	params.Temperature, params.TopK, params.TopP, params.Seed = fl.temperature, fl.topK, fl.topP, seed
	fl.seedUsed = seed
	if fl.seed == "" && fl.temperature > 0 && !fl.asJSON {
		fmt.Fprintf(cmd.ErrOrStderr(), "plume: seed %d (--seed %d repeats this run)\n", seed, seed)
	}
	sampler, err := sample.New(params, 1) // validate the flags before loading
	if err != nil || sampler == nil {
		return usageError{err}
	}
	ctx := cmd.Context()
	loc, err := resolveModel(ctx, fl.model, cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	t0 := time.Now()
	kv := tensor.F32
	if fl.kv == "f16" {
		kv = tensor.F16
	}
	if fl.threads == 0 {
		fl.threads = configFrom(ctx, nil).Threads // $PLUME_THREADS, like plume write (warnings printed by resolveModel)
	}
	m, err := loadModel(loc, engine.Options{Threads: fl.threads, ContextLength: fl.ctxLen, KVType: kv})
	if err != nil {
		return err
	}
	defer m.Close()
	loadMs := float64(time.Since(t0).Microseconds()) / 1e3
	prompt, err := runPrompt(cmd, m, fl)
	if err != nil {
		return err
	}
	if len(prompt) == 0 { // an empty text on a model that adds no BOS token
		return usageError{errors.New("the prompt is empty and this model adds no BOS token: give a --prompt text")}
	}
	if sampler, err = sample.New(params, m.Config().Vocab); err != nil {
		return usageError{err}
	}
	err = runGenerate(ctx, terminalSafe(cmd.OutOrStdout()), m, fl, prompt, sampler, loadMs)
	if errors.Is(err, engine.ErrContextLength) {
		// Not a usage error (exit 1): the same command line fits another model.
		return fmt.Errorf("%w; shorten the prompt or raise --ctx (this model allows up to %d)", err, m.Config().ContextLength)
	}
	return err
}

// runPrompt returns the prompt token ids from the flags or standard input.
func runPrompt(cmd *cobra.Command, m *engine.Model, fl runFlags) ([]int32, error) {
	if fl.promptIDs != "" {
		var ids []int32
		for _, f := range strings.Split(fl.promptIDs, ",") {
			v, err := strconv.ParseInt(strings.TrimSpace(f), 10, 32)
			if err != nil || v < 0 || v >= int64(m.Config().Vocab) {
				return nil, usageError{fmt.Errorf("--prompt-ids: %q is not a token id of this model (0..%d)", strings.TrimSpace(f), m.Config().Vocab-1)}
			}
			ids = append(ids, int32(v))
		}
		return ids, nil
	}
	text := fl.prompt
	if !cmd.Flags().Changed("prompt") {
		b, err := readInput(cmd.Context(), cmd.InOrStdin(), maxPromptBytes, cmd.ErrOrStderr(), "prompt")
		if err != nil {
			return nil, err
		}
		if len(b) > maxPromptBytes {
			return nil, usageError{fmt.Errorf("prompt longer than %d bytes", maxPromptBytes)}
		}
		// A shell's `echo text |` adds a newline that is not part of the prompt.
		text = strings.TrimSuffix(string(b), "\n")
	}
	req := llm.Request{Prompt: text}
	if fl.chat {
		req = llm.Request{Messages: []llm.Message{{Role: "user", Content: text}}}
		for _, w := range m.Warnings() { // a chat template replaced by a builtin
			fmt.Fprintln(cmd.ErrOrStderr(), "plume: warning:", termsafe.Text(w))
		}
	}
	return m.Prompt(req)
}

func runGenerate(ctx context.Context, w io.Writer, m *engine.Model, fl runFlags, prompt []int32, s *sample.Sampler, loadMs float64) error {
	sess, err := m.NewSession()
	if err != nil {
		return err
	}
	tok := m.Tokenizer()
	out := runOutput{Seed: fl.seedUsed, PromptTokens: prompt, Tokens: []runToken{}}
	if fl.echo {
		if out.Echo, err = runEcho(ctx, sess, m, prompt, fl.logprobs); err != nil {
			return err
		}
	}
	var st engine.Stats
	if fl.n > 0 {
		dec := tok.NewStreamDecoder()
		st, err = sess.Generate(ctx, prompt, engine.GenerateOptions{MaxTokens: fl.n, Sampler: s, TopLogprobs: fl.logprobs, Logprobs: fl.asJSON, StopAtEOG: true},
			func(t engine.TokenOut) error {
				text := ""
				if !tok.IsEOG(t.ID) {
					text = dec.Add(t.ID)
				}
				out.Tokens = append(out.Tokens, runToken{ID: t.ID, Text: text, Logprob: t.Logprob, TopLogprobs: runTops(t.Top)})
				if !fl.asJSON {
					_, err := io.WriteString(w, text)
					return err
				}
				return nil
			})
		if tail := dec.Flush(); tail != "" && len(out.Tokens) > 0 {
			out.Tokens[len(out.Tokens)-1].Text += tail
			if !fl.asJSON {
				io.WriteString(w, tail)
			}
		}
		if err != nil {
			return err
		}
	}
	if !fl.asJSON {
		_, err := io.WriteString(w, "\n")
		return err
	}
	out.Model, out.FinishReason = m.Info(), st.FinishReason
	out.Timings = runTimings{LoadMillis: loadMs, PromptTokensPerS: rate(st.PromptTokens, st.PromptDuration), PromptEvaluated: st.PromptTokens,
		GenTokensPerS: rate(st.Generated-1, st.GenDuration)}
	enc := json.NewEncoder(w)
	return enc.Encode(out)
}

// runEcho scores the prompt tokens; the first one has no context and gets
// no log-probability (0, as llama.cpp's echo reports it as null).
func runEcho(ctx context.Context, sess *engine.Session, m *engine.Model, prompt []int32, k int) ([]runToken, error) {
	sc, err := sess.Score(ctx, prompt, k)
	if err != nil {
		return nil, err
	}
	tok := m.Tokenizer()
	echo := []runToken{{ID: prompt[0], Text: string(tok.TokenBytes(prompt[0]))}}
	for _, s := range sc {
		echo = append(echo, runToken{ID: s.ID, Text: string(tok.TokenBytes(s.ID)), Logprob: s.Logprob, TopLogprobs: runTops(s.Top)})
	}
	return echo, nil
}

func runTops(in []sample.TokenLogprob) []runTopTok {
	var out []runTopTok
	for _, t := range in {
		out = append(out, runTopTok{ID: t.ID, Logprob: t.Logprob})
	}
	return out
}

// rate returns n/d in tokens per second (0 when nothing was measured).
func rate(n int, d time.Duration) float64 {
	if n <= 0 || d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}
