package main

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plumewriter/plume/internal/engine"
	"github.com/plumewriter/plume/internal/gguf"
	"github.com/plumewriter/plume/internal/hub"
	"github.com/plumewriter/plume/internal/model"
	"github.com/plumewriter/plume/internal/termsafe"
)

// showTemplateLines is how much of the chat template plume show prints
// without --template.
const showTemplateLines = 8

func newShowCmd(d *deps) *cobra.Command {
	var jsonOut, fullTemplate bool
	cmd := &cobra.Command{
		Use:   "show MODEL",
		Short: "Show a model's architecture, size, quantization, licence and provenance",
		Long: `Show what a cached or local GGUF model is: architecture, parameter count,
context length, quantization mix, chat template, licence and source (from the
GGUF general.* keys and the repository's model card), sha256 and commit.
MODEL takes every form plume pull does, or a path. Nothing is downloaded.`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := engine.Resolve(cmd.Context(), args[0], engine.OpenOptions{Config: configFrom(cmd.Context(), cmd.ErrOrStderr())})
			if err != nil {
				return refError(err)
			}
			info, err := hub.ReadInfo(l.Path)
			if err != nil {
				return err
			}
			if l.License == "" {
				l.License = hub.LicenseForRepo(l.Repo)
			}
			runs := engineSupport(l.Path)
			if jsonOut {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(struct {
					Model hub.Local `json:"model"`
					Info  hub.Info  `json:"info"`
					Local string    `json:"local_engine"`
				}{l, info, runs})
			}
			printShow(cmd, l, info, fullTemplate)
			fmt.Fprintf(cmd.OutOrStdout(), "Local engine\n  %s\n", termsafe.String(runs))
			d.printBiasCards(cmd.OutOrStdout(), cmd.ErrOrStderr(), l.SHA256)
			return nil
		},
	}
	cmd.Flags().BoolVar(&jsonOut, "json", false, "print JSON")
	cmd.Flags().BoolVar(&fullTemplate, "template", false, "print the whole chat template")
	return cmd
}

// engineSupport says whether Plume's own engine can run the file as plume
// run opens it by default (engine.Check: the code that loads it, memory for
// the default context with an F32 KV cache included), without allocating a
// KV cache or reading the weights.
func engineSupport(path string) string {
	err := engine.Check(path, engine.Options{})
	switch {
	case errors.Is(err, model.ErrConfig):
		return "no: " + err.Error() + " (an OpenAI-compatible server can still run it: --backend openai)"
	case errors.Is(err, engine.ErrMemory):
		return "no: " + err.Error() + " (plume run --ctx N --kv f16 asks for less)"
	case err != nil:
		return "no: " + err.Error()
	}
	arch := "unknown architecture"
	if f, err := gguf.Open(path); err == nil {
		arch = f.Arch()
		f.Close()
	}
	return "yes (" + arch + ")"
}

func printShow(cmd *cobra.Command, l hub.Local, in hub.Info, fullTemplate bool) {
	out := cmd.OutOrStdout()
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(out, "  %-15s %s\n", k, termsafe.String(v))
		}
	}
	fmt.Fprintln(out, "Model")
	row("name", in.Name)
	row("reference", l.Ref)
	row("architecture", in.Arch)
	row("parameters", paramsText(in.Params)+sizeLabel(in.SizeLabel))
	if in.ContextLength > 0 {
		row("context length", fmt.Sprint(in.ContextLength))
	}
	row("quantization", in.Quant)
	row("size", humanBytes(l.Size))
	fmt.Fprintln(out, "Provenance")
	row("license", cmp.Or(l.License, in.License))
	row("source", cmp.Or(in.Source, repoURL(l.Repo)))
	row("repository", l.Repo)
	row("file", l.File)
	row("commit", l.Commit)
	row("sha256", l.SHA256)
	row("path", l.Path)
	fmt.Fprintln(out, "Quantization mix")
	for _, tc := range in.QuantMix {
		fmt.Fprintf(out, "  %-15s %4d tensors  %s\n", tc.Type, tc.Tensors, humanBytes(int64(tc.Bytes)))
	}
	if in.ChatTemplate == "" {
		fmt.Fprintln(out, "Chat template: none in the file (a built-in one is used by family)")
		return
	}
	lines := strings.Split(in.ChatTemplate, "\n")
	fmt.Fprintf(out, "Chat template (%d lines)\n", len(lines))
	if !fullTemplate && len(lines) > showTemplateLines {
		lines = append(lines[:showTemplateLines], "… (--template prints all of it)")
	}
	for _, ln := range lines {
		fmt.Fprintln(out, "  "+termsafe.String(ln))
	}
}

func sizeLabel(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}

func repoURL(repo string) string {
	if repo == "" {
		return ""
	}
	return "https://huggingface.co/" + repo
}
