package watermark

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParagraphs(t *testing.T) {
	tests := []struct {
		name, in, format string
		want             []string
	}{
		{"text", "One two.\nthree.\n\n\n  Four.  \n", FormatText, []string{"One two.\nthree.", "Four."}},
		{"markdown", "---\ntitle: x\ndraft: true\n---\n\nIntro text.\n\n## A heading\n\nBody one.\n```go\ncode()\n```\nAfter code.\n",
			FormatMarkdown, []string{"Intro text.", "A heading", "Body one.", "After code."}},
		{"markdown crlf", "Para one.\r\n\r\nPara two.\r\n", FormatMarkdown, []string{"Para one.", "Para two."}},
		{"html", `<!DOCTYPE html><html><head><title>T</title><script>var x = "no";</script></head><body><nav>menu</nav>` +
			`<article><h1>Title</h1><p>First <em>para</em>graph.</p><p>Second
			one.</p><ul><li>item</li></ul></article></body></html>`,
			FormatHTML, []string{"Title", "First paragraph.", "Second one.", "item"}},
		{"html no article", `<p>a</p><p>b</p>`, FormatHTML, []string{"a", "b"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Paragraphs([]byte(tc.in), tc.format)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParagraphsBad(t *testing.T) {
	for name, c := range map[string]struct {
		in     []byte
		format string
	}{
		"invalid utf-8":  {[]byte{'a', 0xff}, FormatText},
		"too large":      {make([]byte, MaxTextBytes+1), FormatText},
		"unknown format": {[]byte("x"), "pdf"},
	} {
		if _, err := Paragraphs(c.in, c.format); !errors.Is(err, ErrText) {
			t.Errorf("%s: %v, want ErrText", name, err)
		}
	}
}

func TestSniffFormat(t *testing.T) {
	for in, want := range map[string]string{
		"<!DOCTYPE html><p>x</p>": FormatHTML, "---\ntitle: a\n---\nx": FormatMarkdown,
		"# Title\n\ntext": FormatMarkdown, "Just words.\n\nMore.": FormatText,
	} {
		if got := SniffFormat([]byte(in)); got != want {
			t.Errorf("SniffFormat(%q) = %s, want %s", in, got, want)
		}
	}
}

// runeEncoder tokenizes by runes: enough to test Detect's bookkeeping.
type runeEncoder struct{}

func (runeEncoder) Encode(s string, _, _ bool) ([]int32, error) {
	var ids []int32
	for _, r := range s {
		ids = append(ids, r)
	}
	return ids, nil
}

func TestDetect(t *testing.T) {
	paras := []string{"abcabc", strings.Repeat("The quick brown fox jumps over the lazy dog. ", 3), "\x1b[31mred"}
	r, err := Detect(DefaultKey(), runeEncoder{}, paras)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Paragraphs) != 3 || r.Paragraphs[0].Scored != 3 || r.Paragraphs[0].Tokens != 6 {
		t.Fatalf("paragraphs: %+v", r.Paragraphs)
	}
	sum := 0
	for _, p := range r.Paragraphs {
		sum += p.Tokens
	}
	if r.Whole.Tokens != sum || r.Whole.Scored > sum-len(paras) {
		t.Errorf("whole %+v", r.Whole)
	}
	if strings.ContainsRune(r.Paragraphs[2].Start, 0x1b) {
		t.Errorf("escape sequence quoted: %q", r.Paragraphs[2].Start)
	}
	if !strings.HasSuffix(r.Paragraphs[1].Start, "…") {
		t.Errorf("long start not cut: %q", r.Paragraphs[1].Start)
	}
	if r.Scheme != Scheme || r.KeyFingerprint != DefaultKey().Fingerprint() {
		t.Errorf("report header %+v", r)
	}
}

func FuzzParagraphs(f *testing.F) {
	f.Add([]byte("---\na: b\n---\n# h\n\ntext\n```\ncode"), 0)
	f.Add([]byte("<html><body><article><p>x<p>y</article>"), 1)
	f.Add([]byte("plain\n\ntext"), 2)
	formats := []string{FormatMarkdown, FormatHTML, FormatText}
	f.Fuzz(func(t *testing.T, b []byte, which int) {
		if len(b) > 1<<16 {
			return
		}
		format := formats[(which%3+3)%3]
		paras, err := Paragraphs(b, format)
		if err != nil {
			return
		}
		for _, p := range paras {
			if strings.TrimSpace(p) != p || p == "" {
				t.Fatalf("paragraph %q not trimmed", p)
			}
		}
		if _, err := Detect(DefaultKey(), runeEncoder{}, paras); err != nil {
			t.Fatal(err)
		}
	})
}
