package hub

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/plumewriter/plume/internal/gguf"
)

// Info is what plume show and plume list report about a GGUF file, read
// from its general.* and architecture keys and its tensor table.
type Info struct {
	Arch          string      `json:"architecture"`
	Name          string      `json:"name,omitempty"`
	SizeLabel     string      `json:"size_label,omitempty"`
	Params        uint64      `json:"parameters"`
	ContextLength uint64      `json:"context_length,omitempty"`
	Quant         string      `json:"quant,omitempty"`
	QuantMix      []TypeCount `json:"quant_mix"`
	License       string      `json:"license,omitempty"`
	Source        string      `json:"source,omitempty"`
	ChatTemplate  string      `json:"chat_template,omitempty"`
	Tensors       int         `json:"tensors"`
}

// TypeCount is how many tensors (and bytes) use one ggml type.
type TypeCount struct {
	Type    string `json:"type"`
	Tensors int    `json:"tensors"`
	Bytes   uint64 `json:"bytes"`
}

// ReadInfo opens a GGUF file and summarises it.
func ReadInfo(path string) (Info, error) {
	f, err := gguf.Open(path)
	if err != nil {
		return Info{}, err // gguf.Open names the path
	}
	defer f.Close()
	return infoFromGGUF(f), nil
}

func infoFromGGUF(f *gguf.File) Info {
	str := func(k string) string { s, _ := f.String(k); return s }
	in := Info{Arch: f.Arch(), Name: str("general.name"), SizeLabel: str("general.size_label"),
		License: str("general.license"), ChatTemplate: str("tokenizer.chat_template"), Tensors: len(f.Tensors)}
	if in.License == "" {
		in.License = str("general.license.name")
	}
	for _, k := range []string{"general.source.url", "general.source.huggingface.repository", "general.base_model.0.repo_url", "general.url"} {
		if in.Source = str(k); in.Source != "" {
			break
		}
	}
	if in.Arch != "" {
		in.ContextLength, _ = f.Uint(in.Arch + ".context_length")
	}
	mix := map[string]*TypeCount{}
	var weightBytes = map[string]uint64{}
	for _, t := range f.Tensors {
		in.Params += t.NumElements()
		name := t.Type.String()
		tc := mix[name]
		if tc == nil {
			tc = &TypeCount{Type: name}
			mix[name] = tc
		}
		tc.Tensors++
		tc.Bytes += t.Size
		if len(t.Dims) >= 2 {
			weightBytes[name] += t.Size
		}
	}
	for _, tc := range mix {
		in.QuantMix = append(in.QuantMix, *tc)
	}
	sort.Slice(in.QuantMix, func(i, j int) bool {
		if in.QuantMix[i].Bytes != in.QuantMix[j].Bytes {
			return in.QuantMix[i].Bytes > in.QuantMix[j].Bytes
		}
		return in.QuantMix[i].Type < in.QuantMix[j].Type
	})
	var best uint64
	for name, b := range weightBytes {
		if b > best || b == best && name < in.Quant {
			best, in.Quant = b, name
		}
	}
	return in
}

// quantLabel matches the quant part of a GGUF file name (Q4_K_M, IQ4_XS,
// Q8_0, F16, BF16…).
var quantLabel = regexp.MustCompile(`(?i)(?:^|[-_.])((?:I?Q[1-8](?:_[A-Z0-9]+)*)|BF16|F16|F32)(?:[-.]|$)`)

// QuantFromName extracts the quant label from a file name, upper-cased, or "".
func QuantFromName(file string) string {
	base := strings.TrimSuffix(path0(file), ".gguf")
	m := quantLabel.FindAllStringSubmatch(base, -1)
	if len(m) == 0 {
		return ""
	}
	return strings.ToUpper(m[len(m)-1][1])
}

// FormatParams renders a parameter count like 1.5B, 360M or 260K.
func FormatParams(n uint64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.1fB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.0fM", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.0fK", float64(n)/1e3)
	}
	return fmt.Sprint(n)
}
