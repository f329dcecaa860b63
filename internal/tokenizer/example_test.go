package tokenizer_test

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/plumewriter/plume/internal/gguf"
	"github.com/plumewriter/plume/internal/tokenizer"
)

// A SentencePiece vocabulary with byte fallback, built in memory.
func Example() {
	tokens := []string{"<unk>", "<s>", "</s>", "▁", "h", "i", "▁h", "▁hi", "<0xC3>", "<0xA9>"}
	w := gguf.NewWriter()
	_ = w.AddKV("tokenizer.ggml.model", "llama")
	_ = w.AddKV("tokenizer.ggml.tokens", tokens)
	_ = w.AddKV("tokenizer.ggml.scores", []float32{0, 0, 0, -1, -2, -3, -4, -5, 0, 0})
	_ = w.AddKV("tokenizer.ggml.token_type", []int32{2, 3, 3, 1, 1, 1, 1, 1, 6, 6})
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		panic(err)
	}
	f, err := gguf.Parse(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		panic(err)
	}
	tok, err := tokenizer.FromGGUF(f)
	if err != nil {
		panic(err)
	}
	ids, _ := tok.Encode("hi é", true, false)
	fmt.Println(ids)
	pieces := make([]string, len(ids))
	for i, id := range ids {
		pieces[i] = fmt.Sprintf("%q", tok.Piece(id))
	}
	fmt.Println(strings.Join(pieces, " "))
	fmt.Printf("%q\n", tok.Decode(ids))
	// Output:
	// [1 7 3 8 9]
	// "<s>" "▁hi" "▁" "<0xC3>" "<0xA9>"
	// "hi é"
}
