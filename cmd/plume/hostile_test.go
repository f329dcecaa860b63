package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/plumewriter/plume/internal/hub/hubtest"
	"github.com/plumewriter/plume/internal/tensor"
	"github.com/plumewriter/plume/internal/testmodel"
)

// hostileGGUF is a tiny model whose general.name, general.license and
// chat template carry terminal escape sequences (OSC title, CSI clear
// screen, C1 CSI, carriage return).
func hostileGGUF(t *testing.T) []byte {
	t.Helper()
	w, err := testmodel.BuildEdited(testmodel.Tiny("llama", tensor.F32), testmodel.Edit{
		KV: func(key string, v any) any {
			switch key {
			case "general.name":
				return "Tiny\x1b]0;owned\x07\x1b[2J"
			case "general.license":
				return "\u009b31mMIT\rEVIL"
			}
			return v
		},
		Extra: map[string]any{"tokenizer.chat_template": "{{ '\x1b]52;c;cGF5bG9hZA==\x07' }}\n{{ messages }}"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// rawControls reports the first C0 (other than tab and newline) or C1
// control in s, or -1.
func rawControls(s string) rune {
	for _, r := range s {
		if (r < 0x20 && r != '\t' && r != '\n') || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			return r
		}
	}
	return -1
}

// TestHostileMetadataIsEscaped is issue 13 item 5 for show and list: GGUF
// metadata with escape sequences is printed escaped, never raw.
func TestHostileMetadataIsEscaped(t *testing.T) {
	h := hubtest.New()
	t.Cleanup(h.Close)
	h.AddFile("evil/Tiny-GGUF", "tiny-F32.gguf", hostileGGUF(t))
	dir := t.TempDir()
	env := e2eEnv(h, dir)
	if _, stderr, err := runPlume(t, env, "pull", "evil/Tiny-GGUF/tiny-F32.gguf"); err != nil {
		t.Fatalf("pull: %v\n%s", err, stderr)
	}
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"show", "evil/Tiny-GGUF/tiny-F32.gguf"}, []string{`Tiny\x1b]0;owned\x07\x1b[2J`, `\u009b31mMIT\x0dEVIL`, `\x1b]52;c;`}},
		{[]string{"show", "--template", "evil/Tiny-GGUF/tiny-F32.gguf"}, []string{`\x1b]52;c;`}},
		{[]string{"list"}, []string{`\u009b31mMIT\x0dEVIL`}},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			out, stderr, err := runPlume(t, env, tc.args...)
			if err != nil {
				t.Fatalf("%v\n%s", err, stderr)
			}
			if r := rawControls(out + stderr); r >= 0 {
				t.Fatalf("raw control %U reached the output:\n%q", r, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}
