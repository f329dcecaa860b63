package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/plumewriter/plume/internal/gguf"
	"github.com/plumewriter/plume/internal/tokenizer"
)

// tokenizeOutput is the --json form of plume tokenize.
type tokenizeOutput struct {
	Model  string   `json:"model"`
	Kind   string   `json:"kind"`
	Count  int      `json:"count"`
	IDs    []int32  `json:"ids"`
	Pieces []string `json:"pieces"` // token text as stored in the vocabulary
	Text   []string `json:"text"`   // what each token decodes to ("" for control tokens)
}

func newTokenizeCmd() *cobra.Command {
	var (
		model, text            string
		asJSON, noParse, noBOS bool
	)
	cmd := &cobra.Command{
		Use:   "tokenize --model FILE [--text TEXT]",
		Short: "Show the token ids and pieces a model's tokenizer produces for a text",
		Long: `Tokenize a text with the vocabulary of a GGUF model (a vocabulary-only GGUF works too)
and print one token per line: its id and its piece. Without --text the text is read from
standard input. Special-token texts such as <|im_start|> become their tokens unless
--no-special-parse is given; BOS/EOS are added as the model asks unless --no-bos is given.`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError{fmt.Errorf("unexpected argument %q: give the text with --text (or on standard input) and the model with --model", args[0])}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			if model == "" {
				return usageError{errors.New("--model is required")}
			}
			if !cmd.Flags().Changed("text") {
				b, err := readInput(cmd.Context(), cmd.InOrStdin(), tokenizer.MaxInputBytes, cmd.ErrOrStderr(), "text")
				if err != nil {
					return err
				}
				text = string(b)
			}
			if len(text) > tokenizer.MaxInputBytes {
				return usageError{fmt.Errorf("text of %d bytes or more is over the %d-byte limit", len(text), tokenizer.MaxInputBytes)}
			}
			// --model takes any reference (path, hf.co/…, alias) like the other verbs.
			loc, err := resolveModel(cmd.Context(), model, cmd.ErrOrStderr())
			if err != nil {
				return fmt.Errorf("model %s: %w", model, err)
			}
			return runTokenize(cmd.OutOrStdout(), loc.Path, text, !noBOS, !noParse, asJSON)
		},
	}
	f := cmd.Flags()
	f.StringVar(&model, "model", "", "model reference: GGUF or vocabulary file path, hf.co/ORG/REPO[:QUANT], ORG/REPO/FILE.gguf[@REV] or alias")
	f.StringVar(&text, "text", "", "text to tokenize (default: standard input)")
	f.BoolVar(&asJSON, "json", false, "print JSON: ids, pieces and decoded text per token")
	f.BoolVar(&noParse, "no-special-parse", false, "treat special-token texts as plain text")
	f.BoolVar(&noBOS, "no-bos", false, "do not add the BOS/EOS tokens the model asks for")
	return cmd
}

func runTokenize(out io.Writer, model, text string, addSpecial, parseSpecial, asJSON bool) error {
	if _, err := os.Stat(model); err != nil {
		return fmt.Errorf("model: %w", err)
	}
	f, err := gguf.Open(model)
	if err != nil {
		return err // gguf.Open names the path
	}
	defer f.Close()
	tok, err := tokenizer.FromGGUF(f)
	if err != nil {
		return fmt.Errorf("%s: %w", model, err)
	}
	ids, err := tok.Encode(text, addSpecial, parseSpecial)
	if err != nil {
		return err
	}
	if asJSON {
		o := tokenizeOutput{Model: model, Kind: tok.Kind().String(), Count: len(ids), IDs: ids,
			Pieces: make([]string, len(ids)), Text: make([]string, len(ids))}
		for i, id := range ids {
			o.Pieces[i], o.Text[i] = tok.Piece(id), string(tok.TokenBytes(id))
		}
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(o)
	}
	for _, id := range ids {
		if _, err := fmt.Fprintf(out, "%6d -> %q\n", id, tok.Piece(id)); err != nil {
			return err
		}
	}
	_, err = fmt.Fprintf(out, "%d tokens\n", len(ids))
	return err
}
