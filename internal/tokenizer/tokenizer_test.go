package tokenizer

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/plumewriter/plume/internal/testutil"
)

func TestModelFixtures(t *testing.T) {
	cases := []struct {
		file         string
		text         string
		addSpecial   bool
		parseSpecial bool
		want         []int32
	}{
		{"stories260K.gguf", "Once upon a time", true, false, []int32{1, 403, 407, 261, 378}},
		{"stories260K.gguf", "Once upon a time", false, false, []int32{403, 407, 261, 378}},
		{"stories260K.gguf", "", true, false, []int32{1}},
		{"stories260K.gguf", "", false, false, []int32{}},
		// llama.cpp ids from TinyStories-656K-Q8_0.greedy.json (all scores equal, no byte tokens).
		{"TinyStories-656K-Q8_0.gguf", "Once upon a time", true, true, []int32{1, 80, 147, 201, 282, 57}},
		{"TinyStories-656K-Q8_0.gguf", "Hello", true, true, []int32{1, 80, 1288, 67}},
		{"TinyStories-656K-Q8_0.gguf", "", true, true, []int32{1}},
		// BOS written in the text; the space prefix follows a special token.
		{"TinyStories-656K-Q8_0.gguf", "<|start_story|>Once upon a time", false, true, []int32{1, 80, 147, 201, 282, 57}},
	}
	for _, c := range cases {
		tok := loadFixture(t, c.file)
		got, err := tok.Encode(c.text, c.addSpecial, c.parseSpecial)
		if err != nil {
			t.Fatalf("%s %q: %v", c.file, c.text, err)
		}
		if !equalIDs(got, c.want) {
			t.Errorf("%s Encode(%q, %v, %v) = %v, want %v", c.file, c.text, c.addSpecial, c.parseSpecial, got, c.want)
		}
	}
}

func TestStories260KGreedyText(t *testing.T) {
	data, err := os.ReadFile(testutil.Fixture(t, "stories260K.greedy.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		GeneratedIDs  []int32 `json:"generated_ids"`
		UpstreamText  string  `json:"upstream_reference_text"`
		UpstreamCount int     `json:"upstream_reference_token_count"`
	}
	if err := json.Unmarshal(data, &ref); err != nil {
		t.Fatal(err)
	}
	if ref.UpstreamCount == 0 || ref.UpstreamCount > len(ref.GeneratedIDs) {
		t.Fatalf("bad fixture: %d of %d tokens", ref.UpstreamCount, len(ref.GeneratedIDs))
	}
	tok := loadFixture(t, "stories260K.gguf")
	ids := append([]int32{tok.BOS()}, ref.GeneratedIDs[:ref.UpstreamCount]...)
	if got := tok.Decode(ids); got != ref.UpstreamText {
		t.Errorf("Decode = %q\nwant %q", got, ref.UpstreamText)
	}
	// Streaming the same ids gives the same text with its leading space.
	d := tok.NewStreamDecoder()
	var sb strings.Builder
	for _, id := range ids {
		sb.WriteString(d.Add(id))
	}
	sb.WriteString(d.Flush())
	if got := sb.String(); got != " "+ref.UpstreamText {
		t.Errorf("stream = %q", got)
	}
}

var roundTripTexts = []string{
	"", " ", "Hello world", "  two leading spaces", "tabs\tand\nnewlines\r\n",
	"L'été, c'est aujourd'hui : « œuvre » 1234567", "emoji 🦙👩‍💻🏳️‍🌈", "中文 日本語 한국어",
	"code() { return x**2; } // ok", "\x00\x01 control", "   ",
}

func TestRoundTrip(t *testing.T) {
	for _, file := range []string{"stories260K.gguf", "vocab/ggml-vocab-llama-spm.gguf", "vocab/ggml-vocab-phi-3.gguf",
		"vocab/ggml-vocab-gpt-2.gguf", "vocab/ggml-vocab-falcon.gguf", "vocab/ggml-vocab-deepseek-coder.gguf",
		"vocab/ggml-vocab-mpt.gguf", "vocab/ggml-vocab-gpt-neox.gguf", "vocab/ggml-vocab-baichuan.gguf"} {
		tok := loadFixture(t, file)
		for _, text := range roundTripTexts {
			for _, addSpecial := range []bool{false, true} {
				ids, err := tok.Encode(text, addSpecial, false)
				if err != nil {
					t.Fatalf("%s %q: %v", file, text, err)
				}
				if got := tok.Decode(ids); got != text {
					t.Errorf("%s: Decode(Encode(%q, %v)) = %q (ids %v)", file, text, addSpecial, got, ids)
				}
			}
		}
	}
}

func TestStreamDecoderHoldsPartialUTF8(t *testing.T) {
	tok := loadFixture(t, "vocab/ggml-vocab-llama-spm.gguf")
	ids, err := tok.Encode("a🦙b", false, false)
	if err != nil {
		t.Fatal(err)
	}
	// ▁a, four byte tokens for the emoji, b
	if len(ids) != 6 {
		t.Fatalf("want the emoji as 4 byte tokens, got %v", ids)
	}
	want := []string{" a", "", "", "", "🦙", "b"}
	d := tok.NewStreamDecoder()
	for i, id := range ids {
		if got := d.Add(id); got != want[i] {
			t.Errorf("Add(%d) #%d = %q, want %q", id, i, got, want[i])
		}
	}
	if got := d.Flush(); got != "" {
		t.Errorf("Flush = %q", got)
	}

	byteTok := func(b string) int32 {
		id, ok := tok.TokenID(b)
		if !ok {
			t.Fatalf("no token %s", b)
		}
		return id
	}
	// An invalid byte is replaced at once; a truncated character is replaced
	// when the next byte cannot continue it, or at Flush.
	cases := []struct {
		bytes []string
		out   string
	}{
		{[]string{"<0xFF>", "<0x61>"}, "\uFFFDa"},
		{[]string{"<0xF0>", "<0x9F>", "<0x61>"}, "\uFFFD\uFFFDa"},
		{[]string{"<0xE2>", "<0x82>"}, "\uFFFD\uFFFD"},
		{[]string{"<0xE2>", "<0x82>", "<0xAC>"}, "€"},
	}
	for _, c := range cases {
		d := tok.NewStreamDecoder()
		var sb strings.Builder
		for _, b := range c.bytes {
			sb.WriteString(d.Add(byteTok(b)))
		}
		sb.WriteString(d.Flush())
		if sb.String() != c.out {
			t.Errorf("%v → %q, want %q", c.bytes, sb.String(), c.out)
		}
	}
}

func TestSpecialTokens(t *testing.T) {
	phi := loadFixture(t, "vocab/ggml-vocab-phi-3.gguf")
	user, _ := phi.TokenID("<|user|>")
	end, _ := phi.TokenID("<|end|>")
	parsed, err := phi.Encode("<|user|>\nHi<|end|>", true, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(parsed) < 4 || parsed[0] != phi.BOS() || parsed[1] != user || parsed[len(parsed)-1] != end {
		t.Errorf("parse_special: %v (user %d, end %d)", parsed, user, end)
	}
	plain, _ := phi.Encode("<|user|>\nHi<|end|>", false, false)
	for _, id := range plain {
		if id == user || id == end {
			t.Errorf("without parse_special the control text must stay text: %v", plain)
		}
	}
	// Control tokens decode to nothing; llama.cpp's Phi-3 rule strips the
	// whitespace after them (rstrip), and the space prefix follows them.
	if got := phi.Decode(parsed); got != " Hi" {
		t.Errorf("control tokens must decode to nothing: %q", got)
	}
	if phi.Piece(user) != "<|user|>" || !phi.IsControl(user) || phi.TokenBytes(user) != nil {
		t.Errorf("Piece/IsControl/TokenBytes of <|user|>")
	}

	eog := []struct {
		file string
		ids  []string
		not  []string
	}{
		{"vocab/ggml-vocab-phi-3.gguf", []string{"<|endoftext|>", "<|end|>"}, []string{"<|user|>", "<s>", "Hello"}},
		{"vocab/ggml-vocab-gpt-2.gguf", []string{"<|endoftext|>"}, []string{"Hello"}},
		{"TinyStories-656K-Q8_0.gguf", []string{"<|end_story|>"}, []string{"<|start_story|>"}},
	}
	for _, c := range eog {
		tok := loadFixture(t, c.file)
		for _, s := range c.ids {
			if id, ok := tok.TokenID(s); !ok || !tok.IsEOG(id) {
				t.Errorf("%s: %s should end generation", c.file, s)
			}
		}
		for _, s := range c.not {
			if id, ok := tok.TokenID(s); ok && tok.IsEOG(id) {
				t.Errorf("%s: %s should not end generation", c.file, s)
			}
		}
	}
}

func TestHostileInput(t *testing.T) {
	spm := loadFixture(t, "stories260K.gguf")
	bpe := loadFixture(t, "vocab/ggml-vocab-gpt-2.gguf")
	wpm := loadFixture(t, "vocab/ggml-vocab-bert-bge.gguf")
	tiny := loadFixture(t, "TinyStories-656K-Q8_0.gguf")

	huge := strings.Repeat("a", MaxInputBytes+1)
	for _, tok := range []*Tokenizer{spm, bpe, wpm} {
		if _, err := tok.Encode(huge, false, false); !errors.Is(err, ErrInputTooLong) {
			t.Errorf("%v: oversized input: err = %v", tok.Kind(), err)
		}
	}

	invalid := "ok \xff\xfe \xc3( \xed\xa0\x80 \xf4\x90\x80\x80 \xf7\xbf\xbf\xbf \xc0\x80 end\xe2\x82"
	for _, tok := range []*Tokenizer{spm, bpe, wpm, tiny} {
		if _, err := tok.Encode(invalid, true, true); err != nil {
			t.Errorf("%v: %v", tok.Kind(), err)
		}
	}
	// SentencePiece with byte fallback keeps every byte; byte-level BPE turns
	// undecodable bytes into U+FFFD like llama.cpp.
	raw := "ok\xff\xfe\xc3(\xed\xa0\x80end\xe2\x82"
	ids, _ := spm.Encode(raw, false, false)
	if got := spm.Decode(ids); got != raw {
		t.Errorf("SPM invalid UTF-8 round trip: %q", got)
	}
	ids, _ = bpe.Encode("a\xffb", false, false)
	if got := bpe.Decode(ids); got != "a\uFFFDb" {
		t.Errorf("BPE invalid UTF-8: %q", got)
	}
	// A vocabulary without byte tokens falls back to <unk>.
	ids, _ = tiny.Encode("€", false, false)
	if len(ids) == 0 || ids[len(ids)-1] != 0 {
		t.Errorf("TinyStories unknown character: %v", ids)
	}

	for _, id := range []int32{-1, -1 << 31, 512, 1 << 30} {
		if spm.Piece(id) != "" || spm.TokenBytes(id) != nil || spm.IsControl(id) || spm.IsEOG(id) {
			t.Errorf("out-of-range id %d must be inert", id)
		}
	}
	if got := spm.Decode([]int32{-5, 403, 99999}); got != "Once" {
		t.Errorf("Decode with bad ids = %q", got)
	}
	d := spm.NewStreamDecoder()
	if d.Add(-1) != "" || d.Add(1<<30) != "" || d.Flush() != "" {
		t.Error("stream decoder with bad ids")
	}
}

// longInputLimit is far above the linear cost of a 128 KiB input (well
// under a second) even on a loaded CI machine, and far below a quadratic one
// (minutes).
const longInputLimit = 20 * time.Second

// TestLongInputsAreFast guards against quadratic behaviour on long words,
// long whitespace runs and long digit runs.
func TestLongInputsAreFast(t *testing.T) {
	const size = 1 << 17 // large enough to expose quadratic behaviour
	inputs := map[string]string{
		"letters": strings.Repeat("a", size),
		"spaces":  strings.Repeat(" ", size),
		"digits":  strings.Repeat("7", size),
		"mixed":   strings.Repeat("x1 ,\n", size/5),
		"emoji":   strings.Repeat("🦙", size/4),
	}
	for _, file := range []string{"stories260K.gguf", "vocab/ggml-vocab-gpt-2.gguf", "vocab/ggml-vocab-falcon.gguf"} {
		tok := loadFixture(t, file)
		for name, text := range inputs {
			start := time.Now()
			ids, err := tok.Encode(text, false, false)
			if err != nil {
				t.Fatal(err)
			}
			if el := time.Since(start); el > longInputLimit {
				t.Errorf("%s %s: %v for %d tokens", file, name, el, len(ids))
			}
		}
	}
}

func TestEncodeErrorContext(t *testing.T) {
	tok := loadFixture(t, "stories260K.gguf")
	_, err := tok.Encode(strings.Repeat("x", MaxInputBytes+1), false, false)
	// The context each layer adds is the point of this test: the text.
	if !errors.Is(err, ErrInputTooLong) || !strings.HasPrefix(err.Error(), "tokenize: input of") {
		t.Errorf("err = %v", err)
	}
	_, err = FromGGUF(ggufFrom(t, map[string]any{keyModel: "gpt2", keyTokens: []string{"a"}, keyPre: "bogus"}))
	if err == nil || !strings.HasPrefix(err.Error(), "tokenizer: ") || !errors.Is(err, errVocab) {
		t.Errorf("FromGGUF err = %v, want a wrapped errVocab", err)
	}
}

// TestConcurrentEncode shares one Tokenizer between goroutines (run with
// -race to check that Encode and Decode keep no shared mutable state).
func TestConcurrentEncode(t *testing.T) {
	tok := loadFixture(t, "vocab/ggml-vocab-gpt-2.gguf")
	want, _ := tok.Encode(benchText, false, false)
	errs := make(chan string, 4)
	for range 4 {
		go func() {
			got, err := tok.Encode(benchText, false, false)
			switch {
			case err != nil:
				errs <- err.Error()
			case !equalIDs(got, want) || tok.Decode(got) != benchText:
				errs <- "concurrent encode differs"
			default:
				errs <- ""
			}
		}()
	}
	for range 4 {
		if e := <-errs; e != "" {
			t.Error(e)
		}
	}
}

// TestTinyStoriesGreedyText decodes llama.cpp's greedy continuations of the
// TinyStories-656K model (word markers at the end of pieces, no byte tokens).
func TestTinyStoriesGreedyText(t *testing.T) {
	data, err := os.ReadFile(testutil.Fixture(t, "TinyStories-656K-Q8_0.greedy.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Cases []struct {
			Name          string  `json:"name"`
			PromptText    string  `json:"prompt_text"`
			PromptIDs     []int32 `json:"prompt_ids"`
			GeneratedIDs  []int32 `json:"generated_ids"`
			GeneratedText string  `json:"generated_text"`
			Verified      bool    `json:"verified_against_llama_cpp"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(data, &ref); err != nil {
		t.Fatal(err)
	}
	tok := loadFixture(t, "TinyStories-656K-Q8_0.gguf")
	checked := 0
	for _, c := range ref.Cases {
		// Only the llama.cpp-verified cases: the others render control
		// tokens as text, which llama.cpp's token_to_piece does not.
		if !c.Verified || len(c.GeneratedIDs) == 0 || c.GeneratedText == "" {
			continue
		}
		checked++
		d := tok.NewStreamDecoder()
		var sb strings.Builder
		for _, id := range c.GeneratedIDs {
			sb.WriteString(d.Add(id))
		}
		sb.WriteString(d.Flush())
		if sb.String() != c.GeneratedText {
			t.Errorf("%s: stream = %q\nwant %q", c.Name, sb.String(), c.GeneratedText)
		}
		if c.PromptText != "" {
			ids, err := tok.Encode(c.PromptText, true, true)
			if err != nil || !equalIDs(ids, c.PromptIDs) {
				t.Errorf("%s: Encode = %v, %v; want %v", c.Name, ids, err, c.PromptIDs)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no greedy cases in the fixture")
	}
}
