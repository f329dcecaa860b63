package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/plumewriter/plume/internal/testutil"
	"github.com/plumewriter/plume/internal/tokenizer"
)

func TestTokenizeCommand(t *testing.T) {
	model := testutil.Fixture(t, "stories260K.gguf")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"tokenize", "--model", model, "--text", "Once upon a time"},
			"     1 -> \"<s>\"\n   403 -> \"▁Once\"\n   407 -> \"▁upon\"\n   261 -> \"▁a\"\n   378 -> \"▁time\"\n5 tokens\n"},
		{[]string{"tokenize", "--model", model, "--text", "Once", "--no-bos"}, "   403 -> \"▁Once\"\n1 tokens\n"},
		{[]string{"tokenize", "--model", model, "--text", "<s>", "--no-bos"}, "     1 -> \"<s>\"\n1 tokens\n"},
	}
	for _, c := range cases {
		var out bytes.Buffer
		cmd := newTokenizeCmd() // fresh flags for each case
		cmd.SetOut(&out)
		cmd.SetArgs(c.args[1:])
		if err := cmd.Execute(); err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		if out.String() != c.want {
			t.Errorf("%v:\n%s\nwant\n%s", c.args, out.String(), c.want)
		}
	}
}

func TestTokenizeCommandJSON(t *testing.T) {
	var out bytes.Buffer
	if err := runTokenize(&out, testutil.Fixture(t, "stories260K.gguf"), "<s>Once", false, false, true); err != nil {
		t.Fatal(err)
	}
	var o tokenizeOutput
	if err := json.Unmarshal(out.Bytes(), &o); err != nil {
		t.Fatal(err)
	}
	// --no-special-parse: "<s>" is plain text.
	if o.Count != len(o.IDs) || o.Count < 3 || o.IDs[0] == 1 || o.Kind != "spm" || strings.Join(o.Text, "") != " <s>Once" {
		t.Errorf("unexpected output: %+v", o)
	}
}

func TestTokenizeCommandErrors(t *testing.T) {
	if err := runTokenize(new(bytes.Buffer), "/nonexistent/model.gguf", "x", true, true, false); err == nil {
		t.Error("missing model: no error")
	}
	cmd := newTokenizeCmd()
	cmd.SetArgs([]string{"--text", "x"})
	cmd.SetOut(new(bytes.Buffer))
	cmd.SetErr(new(bytes.Buffer))
	err := cmd.Execute()
	if _, ok := err.(usageError); !ok {
		t.Errorf("missing --model: err = %v, want usageError", err)
	}
}

// TestTokenizeUsageErrors: a positional text (`plume tokenize --model M hi`)
// failed with cobra's `unknown command "hi"` and exit 1; an oversized stdin
// exited 1 although plume run calls the same mistake a usage error.
func TestTokenizeUsageErrors(t *testing.T) {
	model := testutil.Fixture(t, "stories260K.gguf")
	tests := []struct {
		name, stdin string
		args        []string
		want        string
	}{
		{"positional text", "", []string{"--model", model, "hi"}, `unexpected argument "hi"`},
		{"oversized stdin", strings.Repeat("x", tokenizer.MaxInputBytes+1), []string{"--model", model}, "limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := newTokenizeCmd()
			cmd.SetArgs(tt.args)
			cmd.SetIn(strings.NewReader(tt.stdin))
			cmd.SetOut(new(bytes.Buffer))
			cmd.SetErr(new(bytes.Buffer))
			err := cmd.Execute()
			var ue usageError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s: err = %v, want a usage error containing %q", tt.name, err, tt.want)
			}
		})
	}
}
