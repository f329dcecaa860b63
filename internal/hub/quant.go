package hub

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// splitPattern matches llama.cpp's split GGUF names (…-00001-of-00003.gguf).
var splitPattern = regexp.MustCompile(`-\d{5}-of-\d{5}\.gguf$`)

// pickQuant chooses the GGUF file whose name carries quant, case-insensitive:
// either the file's quant label (QuantFromName) equals it, or it occurs
// delimited by '-' or '.' (so Q4_K does not match Q4_K_M, and custom labels
// like UD-Q4_K_XL work). Among several, the shortest path
// wins (the plain file over variants in sub-folders). Split files are
// reported as unsupported.
func pickQuant(files []string, quant string) (string, error) {
	q := strings.ToLower(quant)
	var match []string
	var ggufs []string
	for _, f := range files {
		lf := strings.ToLower(f)
		if !strings.HasSuffix(lf, ".gguf") {
			continue
		}
		ggufs = append(ggufs, f)
		if strings.EqualFold(QuantFromName(f), quant) || containsToken(strings.TrimSuffix(path0(lf), ".gguf"), q) {
			match = append(match, f)
		}
	}
	if len(match) == 0 {
		return "", fmt.Errorf("no GGUF file with quant %s (files: %s)", quant, summarize(ggufs))
	}
	sort.Slice(match, func(i, j int) bool {
		if len(match[i]) != len(match[j]) {
			return len(match[i]) < len(match[j])
		}
		return match[i] < match[j]
	})
	if splitPattern.MatchString(match[0]) {
		return "", fmt.Errorf("quant %s is a split GGUF (%s), which Plume does not load yet; merge it with llama-gguf-split --merge", quant, match[0])
	}
	return match[0], nil
}

// path0 is the base name of a slash path.
func path0(p string) string { return p[strings.LastIndex(p, "/")+1:] }

// containsToken reports whether tok occurs in name, preceded by the start or
// one of "-." and followed by the end or one of "-.".
func containsToken(name, tok string) bool {
	for i := 0; ; {
		j := strings.Index(name[i:], tok)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(tok)
		// '_' is no delimiter: Q4_K must not match Q4_K_M, nor K_M match it.
		okStart := start == 0 || strings.ContainsRune("-.", rune(name[start-1]))
		okEnd := end == len(name) || strings.ContainsRune("-.", rune(name[end]))
		if okStart && okEnd {
			return true
		}
		i = start + 1
	}
}

// maxListed caps how many file names an error message lists.
const maxListed = 12

func summarize(files []string) string {
	if len(files) == 0 {
		return "none"
	}
	if len(files) > maxListed {
		return strings.Join(files[:maxListed], ", ") + fmt.Sprintf(", … (%d more)", len(files)-maxListed)
	}
	return strings.Join(files, ", ")
}
