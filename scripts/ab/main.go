// Command ab compares plume builds, or kernel sets, on one model, the way
// a change to a kernel is measured before it lands: each round runs every
// variant's `plume bench --json` once (a fresh process with its warm-up),
// the variants in an order that rotates from round to round so that a
// machine whose speed drifts weighs on each alike. It prints each
// variant's tokens/s (mean ± sd over the rounds) and, against the first
// variant, the geometric mean of the rounds' ratios with its 95%
// confidence interval (Student's t on the log ratios): a difference is
// reported only when the interval leaves 1.
//
//	go run ./scripts/ab [-p 0] [-n 64] [-t 1] [-r 1] [-rounds 8] [-weights hybrid] VARIANT VARIANT... MODEL.gguf
//
// A VARIANT is LABEL=BINARY[,VAR=VALUE...]: a plume binary and the
// environment it runs with, e.g. two builds (old=/tmp/plume-old
// new=/tmp/plume) or one build under two kernel caps (amx=/tmp/plume
// vnni=/tmp/plume,PLUME_KERNELS=avx512vnni, the A/B an AMX machine makes
// for tile16MinActs). Each row names the kernel set the variant ran, so a
// cap that did not take is seen.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// Defaults and limits.
const (
	// defaultRounds is a start. On the 2-core Zen 5 VM of 2026-12-06,
	// six rounds gave a pp128 ratio's 95% interval ±4% wide, but a tg64
	// one ±15% (its rounds ranged 12.5–16.9 tok/s): seeing a few percent
	// of decode there takes a hundred rounds or more.
	defaultRounds = 8
	// maxRounds and maxVariants bound a run (each round is one plume
	// process per variant, seconds each).
	maxRounds   = 1000
	maxVariants = 8
)

type config struct {
	prompt, gen, threads, reps, rounds int
	weights                            string
	variants                           []variant
	model                              string
}

func main() {
	c, err := parseArgs(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "ab:", err)
		os.Exit(2)
	}
	res, err := run(c, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ab:", err)
		os.Exit(1)
	}
	fmt.Print(res.markdown(c))
}

// parseArgs reads the flags, then two or more variants and the model.
func parseArgs(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("ab", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	fs.IntVar(&c.prompt, "p", 0, "prompt tokens of the pp test (0 skips it)")
	fs.IntVar(&c.gen, "n", 64, "generated tokens of the tg test (0 skips it)")
	fs.IntVar(&c.threads, "t", 1, "threads")
	fs.IntVar(&c.reps, "r", 1, "measured runs per plume bench call (their mean is the round's value)")
	fs.IntVar(&c.rounds, "rounds", defaultRounds, "rounds (each runs every variant once)")
	fs.StringVar(&c.weights, "weights", "hybrid", "plume bench --weights: hybrid, mapped or private")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: ab [flags] LABEL=BINARY[,VAR=VALUE...] LABEL=BINARY[,...]... MODEL.gguf")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	switch {
	case c.prompt < 0 || c.gen < 0 || c.prompt+c.gen == 0:
		return c, errors.New("-p and -n: at least one positive, neither negative")
	case c.threads < 1 || c.reps < 1:
		return c, errors.New("-t and -r must be at least 1")
	case c.rounds < 2 || c.rounds > maxRounds:
		return c, fmt.Errorf("-rounds must be 2..%d (a confidence interval needs two)", maxRounds)
	case c.weights != "hybrid" && c.weights != "mapped" && c.weights != "private":
		return c, fmt.Errorf("-weights %q: want hybrid, mapped or private", c.weights)
	}
	rest := fs.Args()
	if len(rest) < 3 || len(rest)-1 > maxVariants {
		return c, fmt.Errorf("want 2..%d variants and a model, got %d arguments", maxVariants, len(rest))
	}
	c.model = rest[len(rest)-1]
	if st, err := os.Stat(c.model); err != nil || !st.Mode().IsRegular() {
		return c, fmt.Errorf("model %q: not a readable file", c.model)
	}
	seen := map[string]bool{}
	for _, s := range rest[:len(rest)-1] {
		v, err := parseVariant(s)
		if err != nil {
			return c, err
		}
		if seen[v.label] {
			return c, fmt.Errorf("variant label %q given twice", v.label)
		}
		seen[v.label] = true
		c.variants = append(c.variants, v)
	}
	return c, nil
}

// variant is one plume binary and the environment it runs with.
type variant struct {
	label, bin string
	env        []string // VAR=VALUE, added to this process's environment
}

// parseVariant reads LABEL=BINARY[,VAR=VALUE...].
func parseVariant(s string) (variant, error) {
	label, rest, ok := strings.Cut(s, "=")
	if !ok || label == "" || rest == "" || strings.ContainsAny(label, " |`") {
		return variant{}, fmt.Errorf("variant %q: want LABEL=BINARY[,VAR=VALUE...] (a label without spaces, | or `)", s)
	}
	parts := strings.Split(rest, ",")
	v := variant{label: label, bin: parts[0]}
	if st, err := os.Stat(v.bin); err != nil || st.IsDir() || st.Mode().Perm()&0o111 == 0 {
		return variant{}, fmt.Errorf("variant %s: %q is not an executable file", label, v.bin)
	}
	for _, e := range parts[1:] {
		name, _, ok := strings.Cut(e, "=")
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return variant{}, fmt.Errorf("variant %s: %q is not VAR=VALUE", label, e)
		}
		v.env = append(v.env, e)
	}
	return v, nil
}
