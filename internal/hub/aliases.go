package hub

import "sort"

// Alias is a curated short name for a recommended, openly available
// instruct model.
type Alias struct {
	Name    string // e.g. "qwen2.5:1.5b"
	Ref     string // hf.co/ORG/REPO:QUANT
	License string // SPDX id or the licence's own name
	About   string // one line for plume list --aliases / help
}

// defaultAlias is the model plume write uses without --model: the smallest
// model that still writes coherent multi-paragraph English (Apache-2.0,
// about 1.1 GB at Q4_K_M, 32k context).
const defaultAlias = "qwen2.5:1.5b"

// aliases is the curated list. Every repo is ungated, so a pull needs no token.
// Llama 3.2 weights come from a community GGUF conversion because Meta's own
// repositories are gated and ship no GGUF.
var aliases = []Alias{
	{"qwen2.5:0.5b", "hf.co/Qwen/Qwen2.5-0.5B-Instruct-GGUF:Q4_K_M", "Apache-2.0", "Qwen2.5 0.5B Instruct, fastest, short drafts"},
	{"qwen2.5:1.5b", "hf.co/Qwen/Qwen2.5-1.5B-Instruct-GGUF:Q4_K_M", "Apache-2.0", "Qwen2.5 1.5B Instruct, the default"},
	{"qwen2.5:3b", "hf.co/Qwen/Qwen2.5-3B-Instruct-GGUF:Q4_K_M", "qwen-research (non-commercial)", "Qwen2.5 3B Instruct, better prose; research licence"},
	{"smollm2:360m", "hf.co/HuggingFaceTB/SmolLM2-360M-Instruct-GGUF:Q8_0", "Apache-2.0", "SmolLM2 360M Instruct, tiny"},
	{"smollm2:1.7b", "hf.co/HuggingFaceTB/SmolLM2-1.7B-Instruct-GGUF:Q4_K_M", "Apache-2.0", "SmolLM2 1.7B Instruct"},
	{"llama3.2:1b", "hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M", "Llama-3.2 Community License", "Llama 3.2 1B Instruct"},
	{"llama3.2:3b", "hf.co/bartowski/Llama-3.2-3B-Instruct-GGUF:Q4_K_M", "Llama-3.2 Community License", "Llama 3.2 3B Instruct"},
}

// Aliases returns the curated model list, sorted by name.
func Aliases() []Alias {
	out := append([]Alias(nil), aliases...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// DefaultModel is the alias plume write uses when --model is absent (and
// PLUME_MODEL is unset).
func DefaultModel() string { return defaultAlias }

func lookupAlias(name string) (Alias, bool) {
	for _, a := range aliases {
		if a.Name == name {
			return a, true
		}
	}
	return Alias{}, false
}

func aliasNames() []string {
	var out []string
	for _, a := range Aliases() {
		out = append(out, a.Name)
	}
	return out
}

// LicenseForRepo returns the licence the alias table records for a
// repository, or "".
func LicenseForRepo(repo string) string {
	for _, a := range aliases {
		if r, err := ParseRef(a.Ref); err == nil && r.Repo == repo {
			return a.License
		}
	}
	return ""
}
