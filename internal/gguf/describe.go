package gguf

import (
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
)

// describeMaxElems is how many array elements Describe and KV.String show
// before eliding the rest: enough to recognise a vocabulary, short enough
// for a terminal.
const describeMaxElems = 6

// describeMaxString caps how much of a string value is shown (chat
// templates run to kilobytes).
const describeMaxString = 80

// String formats the pair for display, e.g. `llama.block_count u32 = 5` or
// `tokenizer.ggml.tokens [string × 512] = ["<unk>", "<s>", …]`.
func (kv KV) String() string {
	if a, ok := kv.Value.(Array); ok {
		return fmt.Sprintf("%s [%s × %d] = %s", kv.Key, a.Type, a.Len(), formatArray(a))
	}
	return fmt.Sprintf("%s %s = %s", kv.Key, kv.Type, formatScalar(kv.Value))
}

func formatScalar(v any) string {
	s, ok := v.(string)
	if !ok {
		return fmt.Sprint(v)
	}
	if len(s) > describeMaxString {
		return strconv.Quote(s[:describeMaxString]) + fmt.Sprintf("… (%d bytes)", len(s))
	}
	return strconv.Quote(s)
}

func formatArray(a Array) string {
	rv := reflect.ValueOf(a.Values)
	if rv.Kind() != reflect.Slice {
		return "[]"
	}
	n := rv.Len()
	parts := make([]string, 0, min(n, describeMaxElems)+1)
	for i := range min(n, describeMaxElems) {
		parts = append(parts, formatScalar(rv.Index(i).Interface()))
	}
	if n > describeMaxElems {
		parts = append(parts, "…")
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// Describe writes a readable summary of the file: the header, every
// metadata pair (long arrays and strings elided) and every tensor.
func (f *File) Describe(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "GGUF v%d, %d bytes, alignment %d, data at byte %d\n", f.Version, f.size, f.Alignment, f.DataOffset)
	fmt.Fprintf(&b, "%d metadata pairs:\n", len(f.KVs))
	for _, kv := range f.KVs {
		fmt.Fprintf(&b, "  %s\n", kv)
	}
	fmt.Fprintf(&b, "%d tensors:\n", len(f.Tensors))
	for _, t := range f.Tensors {
		fmt.Fprintf(&b, "  %-24s %-5s %v offset %d size %d\n", t.Name, t.Type, t.Dims, t.Offset, t.Size)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
