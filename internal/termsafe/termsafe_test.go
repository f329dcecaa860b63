package termsafe

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestString(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "Qwen2.5 1.5B Instruct", "Qwen2.5 1.5B Instruct"},
		{"unicode kept", "l'été – 日本", "l'été – 日本"},
		{"csi colour", "\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`},
		{"osc title bel", "\x1b]0;pwned\x07x", `\x1b]0;pwned\x07x`},
		{"osc hyperlink st", "\x1b]8;;http://evil\x1b\\link", `\x1b]8;;http://evil\x1b\link`},
		{"c1 csi", "a\u009b2Jb", `a\u009b2Jb`},
		{"nul del bs", "a\x00b\x7fc\bd", `a\x00b\x7fc\x08d`},
		{"newline and cr escaped", "a\nb\rc", `a\x0ab\x0dc`},
		{"tab kept", "a\tb", "a\tb"},
		{"line separator", "a\u2028b", `a\u2028b`},
		{"invalid utf8", "a\xffb", `a\xffb`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := String(tt.in); got != tt.want {
				t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"newline kept", "line 1\nline 2\n", "line 1\nline 2\n"},
		{"cr escaped", "safe\rEVIL", `safe\x0dEVIL`},
		{"csi in a template", "{{ '\x1b[2J' }}\n", "{{ '\\x1b[2J' }}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Text(tt.in); got != tt.want {
				t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestArticle(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "# Titre\n\nTexte\tici.\n", "# Titre\n\nTexte\tici.\n"},
		{"nul and esc removed", "a\x00b\x1b[31mc", "ab[31mc"},
		{"crlf", "a\r\nb", "a\nb"},
		{"c1 and unicode kept", "é\u0085x", "é\u0085x"},
		{"del removed", "a\x7fb", "ab"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Article(tt.in); got != tt.want {
				t.Errorf("Article(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestWriterSplitRunes(t *testing.T) {
	in := "été \x1b[2J日本\n"
	// Every split point, including inside the multi-byte characters.
	for cut := 0; cut <= len(in); cut++ {
		var buf bytes.Buffer
		w := NewWriter(&buf)
		for _, part := range []string{in[:cut], in[cut:]} {
			if n, err := w.Write([]byte(part)); err != nil || n != len(part) {
				t.Fatalf("cut %d: Write = %d, %v", cut, n, err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if want := "été \\x1b[2J日本\n"; buf.String() != want {
			t.Fatalf("cut %d: got %q, want %q", cut, buf.String(), want)
		}
	}
	var buf bytes.Buffer
	w := NewWriter(&buf)
	w.Write([]byte("x\xe6")) // a truncated sequence at the end of the stream
	w.Flush()
	if buf.String() != `x\xe6` {
		t.Fatalf("truncated tail: %q", buf.String())
	}
}

func FuzzString(f *testing.F) {
	for _, s := range []string{"", "abc", "\x1b]0;t\x07", "\u009b31m", "a\xffb\n", "é\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for name, out := range map[string]string{"String": String(s), "Text": Text(s)} {
			if !utf8.ValidString(out) {
				t.Fatalf("%s(%q) = %q: not valid UTF-8", name, s, out)
			}
			for _, r := range out {
				if isControl(r) && r != '\t' && (r != '\n' || name != "Text") {
					t.Fatalf("%s(%q) = %q: control %U left", name, s, out, r)
				}
			}
		}
		a := Article(s)
		if strings.ContainsAny(a, "\x00\x1b\r\x7f") {
			t.Fatalf("Article(%q) = %q", s, a)
		}
		if clean(s, false) != (String(s) == s) {
			t.Fatalf("clean(%q) disagrees with String", s)
		}
	})
}
