// Command api-bench measures the decode speed of `plume serve`'s API against
// `plume bench` on the same model and threads (issue #12: API throughput
// within 5% of plume bench decode). It starts `plume serve` on a free
// loopback port, sends R streamed /v1/completions requests of N tokens at
// temperature 0, and times the decode from the SSE arrival times: from the
// first token's chunk (time to first token excluded) to the chunk that
// carries the finish reason, over the N−1 tokens in between. It then stops
// alternates the completions with `plume bench -p 0 -n N -r 1 --kv f32` runs
// (R of each), and prints both decode figures and their ratio as a Markdown
// table row for BENCHMARKS.md. A third figure, the server's own decode rate
// (its plume_decode_tokens_per_second metric for each request: tokens over
// the generation loop's time, as the engine sees it), tells what the
// engine does inside the server from what the HTTP stream and the client
// add.
// The bench uses the server's KV cache type, F32 (plume serve, write and run
// keep llama.cpp's parity default), not its own default F16 (llama-bench's),
// and the server's weights layout (--weights private), so that the ratio
// measures what the API adds and nothing else.
//
//	go run ./scripts/api-bench -plume BIN -model FILE.gguf [-t 1] [-n 128] [-r 3]
//
// The server has no ignore-EOS option, so the model should have random
// weights (the synthetic speed models of scripts/bench): a real model may end
// a completion early, which is reported as an error rather than measured.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/plumewriter/plume/scripts/internal/plumebench"
	"github.com/plumewriter/plume/scripts/internal/stats"
)

// Limits of one run.
const (
	// loadTimeout bounds the wait for /health: loading a 1B model from a
	// cold page cache takes seconds, far less than this.
	loadTimeout = 5 * time.Minute
	// requestTimeout bounds one completion (128 tokens of a 1B model at
	// one thread take under a minute on a 2-core machine).
	requestTimeout = 10 * time.Minute
	// benchPrompt is the prompt text: a few tokens, so that the decode runs
	// at a short context, as plume bench's tg test (which starts empty).
	benchPrompt = "Once upon a time"
	// defaultSettle is the pause before each completion and each bench
	// run. A bench process maps and reads the model and frees its memory
	// when it exits (with --weights private, its 765 MiB copy of the 1B
	// model); on the 2-core VM of BENCHMARKS.md the completion that
	// followed at once decoded 8-15% slower than one a few seconds later
	// (server's own rate 41-44 against 46-48 t/s, session 6), which
	// measured the harness's memory churn instead of the API.
	defaultSettle = 5 * time.Second
)

type config struct {
	plume, model      string
	threads, gen, rep int
	ctx               int    // plume serve --ctx (0: its default)
	profile           string // CPU profile of plume serve
	settle            time.Duration
}

func main() {
	var c config
	flag.StringVar(&c.plume, "plume", "", "plume binary")
	flag.StringVar(&c.model, "model", "", "GGUF model (random weights, so that no completion ends early)")
	flag.IntVar(&c.threads, "t", 1, "engine threads")
	flag.IntVar(&c.gen, "n", 128, "tokens per completion (decode test)")
	flag.IntVar(&c.rep, "r", 3, "completions (and plume bench repetitions)")
	flag.IntVar(&c.ctx, "ctx", 0, "plume serve's context length per slot (0: its default)")
	flag.StringVar(&c.profile, "cpuprofile", "", "have plume serve write a CPU profile (go tool pprof) to this file")
	flag.DurationVar(&c.settle, "settle", defaultSettle, "pause before each measurement (see defaultSettle)")
	flag.Parse()
	if c.plume == "" || c.model == "" || c.threads < 1 || c.gen < 2 || c.rep < 1 {
		fmt.Fprintln(os.Stderr, "api-bench: -plume and -model are required; -t >= 1, -n >= 2, -r >= 1")
		os.Exit(2)
	}
	api, server, bench, err := measure(c)
	if err != nil {
		fatalf("%v", err)
	}
	am, asd := stats.MeanSD(api)
	sm, ssd := stats.MeanSD(server)
	bm, bsd := stats.MeanSD(bench)
	// The rounds are pairs (one completion, then one bench run): the median
	// of their ratios is the paired comparison, which a drifting minute
	// moves less than the ratio of the means.
	paired := stats.Median(stats.PairedRatios(api, bench))
	fmt.Printf("| model | threads | API decode t/s | server's own t/s | plume bench decode t/s | API / bench | server's / bench | median of paired API / bench |\n|---|---|---|---|---|---|---|---|\n")
	fmt.Printf("| %s | %d | %.2f ± %.2f | %.2f ± %.2f | %.2f ± %.2f | %.3f | %.3f | %.3f |\n", filepath.Base(c.model), c.threads,
		am, asd, sm, ssd, bm, bsd, am/bm, sm/bm, paired)
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "api-bench: "+format+"\n", args...)
	os.Exit(1)
}

// measure serves the model and alternates, R times, one streamed
// completion and one plume bench run (-r 1 after its warm-up), each after
// c.settle of quiet, so that both see the same machine: on a virtual machine whose speed drifts by 10% from
// minute to minute, two series measured one after the other compared the
// drift as much as the engines. It returns the decode tokens/s of each
// completion as the client saw it and as the server measured it, and of
// each bench run.
func measure(c config) (api, server, bench []float64, err error) {
	port, err := freePort()
	if err != nil {
		return nil, nil, nil, err
	}
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	srv := exec.Command(c.plume, "serve", "--model", c.model, "--host", "127.0.0.1:"+strconv.Itoa(port),
		"--threads", strconv.Itoa(c.threads))
	if c.ctx > 0 {
		srv.Args = append(srv.Args, "--ctx", strconv.Itoa(c.ctx))
	}
	if c.profile != "" {
		srv.Args = append(srv.Args, "--cpuprofile", c.profile)
	}
	srv.Stderr = os.Stderr
	if err := srv.Start(); err != nil {
		return nil, nil, nil, err
	}
	defer func() { // SIGINT: plume serve shuts down gracefully
		_ = srv.Process.Signal(syscall.SIGINT)
		_ = srv.Wait()
	}()
	if err := waitHealthy(base); err != nil {
		return nil, nil, nil, err
	}
	for i := range c.rep {
		time.Sleep(c.settle)
		before, err := speedSum(base)
		if err != nil {
			return nil, nil, nil, err
		}
		ts, err := completion(base, c.gen)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("api: completion %d: %w", i+1, err)
		}
		after, err := speedSum(base)
		if err != nil {
			return nil, nil, nil, err
		}
		time.Sleep(c.settle)
		b, err := measureBench(c)
		if err != nil {
			return nil, nil, nil, err // names plume bench
		}
		fmt.Fprintf(os.Stderr, "api-bench: round %d: API %.2f t/s (server's own %.2f), plume bench %.2f t/s\n", i+1, ts, after-before, b)
		api, server, bench = append(api, ts), append(server, after-before), append(bench, b)
	}
	return api, server, bench, nil
}

// speedMetric is the sum of the server's per-request decode speeds (the
// histogram's _sum series): its growth over one request is that request's
// tokens/s as the server measured them.
const speedMetric = "plume_decode_tokens_per_second_sum"

// speedSum reads speedMetric from /metrics (Prometheus text format).
func speedSum(base string) (float64, error) {
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		return 0, fmt.Errorf("metrics: %w", err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), speedMetric+" "); ok {
			return strconv.ParseFloat(strings.TrimSpace(v), 64)
		}
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("metrics: %w", err)
	}
	return 0, fmt.Errorf("metrics: no %s series", speedMetric)
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// waitHealthy polls /health until the model is loaded (200).
func waitHealthy(base string) error {
	deadline := time.Now().Add(loadTimeout)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("server not healthy after %v", loadTimeout)
}

// chunk is the part of a streamed text_completion chunk read here.
type chunk struct {
	Choices []struct {
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	Usage *struct {
		CompletionTokens int `json:"completion_tokens"`
	} `json:"usage"`
}

// completion streams one completion of n tokens and returns its decode
// tokens/s: (n−1) tokens between the first token's chunk and the finish.
func completion(base string, n int) (float64, error) {
	body, _ := json.Marshal(map[string]any{"model": "default", "prompt": benchPrompt, "max_tokens": n,
		"temperature": 0, "stream": true, "stream_options": map[string]bool{"include_usage": true}})
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/v1/completions", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("status %s", resp.Status)
	}
	var first, finish time.Time
	var reason string
	tokens := -1
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok || data == "[DONE]" {
			continue
		}
		at := time.Now()
		var ch chunk
		if err := json.Unmarshal([]byte(data), &ch); err != nil {
			return 0, fmt.Errorf("chunk %q: %w", data, err)
		}
		switch {
		case ch.Usage != nil:
			tokens = ch.Usage.CompletionTokens
		case len(ch.Choices) > 0 && ch.Choices[0].FinishReason != nil:
			finish, reason = at, *ch.Choices[0].FinishReason
		case first.IsZero():
			first = at
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	if reason != "length" || tokens != n {
		return 0, fmt.Errorf("finish %q after %d tokens, want length after %d: the model ended early "+
			"(use a random-weights model)", reason, tokens, n)
	}
	if first.IsZero() || !finish.After(first) {
		return 0, errors.New("no token chunk before the finish")
	}
	return float64(n-1) / finish.Sub(first).Seconds(), nil
}

// plume serve's KV cache type (engine.Options' zero value) and weights
// layout (private huge pages: engine.Options.Weights = engine.WeightsPrivate), which plume
// bench is given too.
const (
	serveKV      = "f32"
	serveWeights = "private"
)

// measureBench runs plume bench once (its warm-up, then one measured tg
// run) and returns its decode tokens/s.
func measureBench(c config) (float64, error) {
	r, err := plumebench.TG(os.Stderr, c.plume, c.model, c.threads, c.gen, "--kv", serveKV, "--weights", serveWeights)
	return r.TokensPerSecond, err
}
