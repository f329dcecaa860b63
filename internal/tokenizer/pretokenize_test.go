package tokenizer

import (
	"reflect"
	"testing"
)

// TestPreTokenizerSplits pins the word boundaries of each pre-tokenizer on
// inputs where llama.cpp's implementations are easy to follow by hand.
func TestPreTokenizerSplits(t *testing.T) {
	cases := []struct {
		pre  string
		text string
		want []string
	}{
		{"gpt-2", "Hello world's  x", []string{"Hello", " world", "'s", " ", " x"}},
		{"gpt-2", "a  \n", []string{"a", "  \n"}},
		{"gpt-2", "I'M 42!!", []string{"I", "'", "M", " 42", "!!"}},
		{"llama-bpe", "I'M 1234567", []string{"I", "'M", " ", "123", "456", "7"}},
		{"llama-bpe", "a\n\n b\r\n", []string{"a", "\n\n", " b", "\r\n"}},
		{"llama-bpe", "x  !?\n\ny", []string{"x", " ", " !?\n\n", "y"}},
		{"qwen2", "v1234 é", []string{"v", "1", "2", "3", "4", " é"}},
		{"qwen2", "e\u0301x !\u0301", []string{"e", "\u0301x", " !\u0301"}},
		{"qwen35", "e\u0301x !\u0301", []string{"e\u0301x", " !", "\u0301"}},
		{"qwen35", "v12 ab", []string{"v", "1", "2", " ab"}},
		{"starcoder", "x12 34", []string{"x", "1", "2", " ", "3", "4"}},
		{"default", "a+b=12345", []string{"a", "+", "b", "=", "123", "45"}},
		{"falcon", "a+b`1234", []string{"a", "+", "b", "`", "123", "4"}},
		{"deepseek-coder", "ab 12\n中文", []string{"ab", " ", "1", "2", "\n", "中文"}},
		{"gpt-4o", "HTTPServer getID fooÉbar", []string{"HTTPServer", " get", "ID", " fooÉbar"}},
		{"gpt-4o", "they'RE a/b\n/", []string{"they'RE", " a", "/b", "\n", "/"}},
		{"gpt-4o", "x;\n/y", []string{"x", ";\n/", "y"}},
		{"tekken", "they're 123", []string{"they", "'re", " ", "1", "2", "3"}},
		{"bloom", "hi, there.", []string{"hi", ",", " there", "."}},
	}
	for _, c := range cases {
		t.Run(c.pre+" "+c.text, func(t *testing.T) {
			p, err := newPreTokenizer(c.pre)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.split(c.text); !reflect.DeepEqual(got, c.want) {
				t.Errorf("%s %q:\n got %q\nwant %q", c.pre, c.text, got, c.want)
			}
		})
	}
	if _, err := newPreTokenizer("no-such-pre"); err == nil {
		t.Error("unknown pre-tokenizer accepted")
	}
}
