package hub

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// RefKind says which form a model reference took.
type RefKind int

// The forms of a model reference.
const (
	RefAlias RefKind = iota // a curated short name, e.g. "qwen2.5:1.5b"
	RefQuant                // hf.co/ORG/REPO[:QUANT]: the GGUF file carrying QUANT
	RefFile                 // ORG/REPO/FILE.gguf[@REVISION]
	RefLocal                // a path on disk
)

// DefaultQuant is picked when hf.co/ORG/REPO has no :QUANT: Q4_K_M is the
// usual size/quality balance and the file most GGUF repos publish.
const DefaultQuant = "Q4_K_M"

// DefaultRevision is the branch used when no @REVISION is given.
const DefaultRevision = "main"

// Ref is a parsed model reference.
type Ref struct {
	Kind     RefKind
	Input    string // what the user typed
	Repo     string // ORG/REPO (remote forms)
	Quant    string // RefQuant: the quant to match in the file name
	File     string // RefFile: path inside the repo
	Revision string // branch, tag or commit (remote forms)
	Path     string // RefLocal: absolute path
	License  string // from the alias table, when known
}

// String renders the reference in canonical form.
func (r Ref) String() string {
	switch r.Kind {
	case RefQuant:
		return "hf.co/" + r.Repo + ":" + r.Quant
	case RefFile:
		s := r.Repo + "/" + r.File
		if r.Revision != DefaultRevision {
			s += "@" + r.Revision
		}
		return s
	case RefLocal:
		return r.Path
	}
	return r.Input
}

// hfPrefixes introduce the hf.co/ORG/REPO[:QUANT] form.
var hfPrefixes = []string{"hf.co/", "huggingface.co/", "https://hf.co/", "https://huggingface.co/"}

// ParseRef parses any model reference: an alias, hf.co/ORG/REPO[:QUANT],
// ORG/REPO/FILE.gguf[@REVISION], or a local path (absolute, starting with
// ./ ../ or ~/, or any existing file). Names are validated; a malformed
// reference is an error wrapping ErrBadName.
func ParseRef(s string) (Ref, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Ref{}, fmt.Errorf("%w: empty model reference", ErrBadName)
	}
	if a, ok := lookupAlias(s); ok {
		r, err := ParseRef(a.Ref)
		if err != nil {
			return Ref{}, fmt.Errorf("alias %s: %w", s, err)
		}
		r.Kind, r.Input, r.License = RefAlias, s, a.License
		return r, nil
	}
	for _, p := range hfPrefixes {
		if rest, ok := strings.CutPrefix(s, p); ok {
			return parseQuantRef(s, rest)
		}
	}
	if looksLocal(s) {
		return parseLocal(s)
	}
	return parseFileRef(s)
}

func parseQuantRef(input, rest string) (Ref, error) {
	repo, quant, hasQuant := strings.Cut(rest, ":")
	if !hasQuant {
		quant = DefaultQuant
	}
	if err := checkRepo(repo); err != nil {
		return Ref{}, fmt.Errorf("model %q: %w", input, err)
	}
	if err := checkQuant(quant); err != nil {
		return Ref{}, fmt.Errorf("model %q: %w", input, err)
	}
	return Ref{Kind: RefQuant, Input: input, Repo: repo, Quant: quant, Revision: DefaultRevision}, nil
}

// maxQuantLen caps a quant label (the longest real ones, like IQ4_XS or
// Q4_0_4_8 or UD-Q4_K_XL, are ~12 bytes).
const maxQuantLen = 32

func checkQuant(q string) error {
	if q == "" || len(q) > maxQuantLen || strings.Trim(q, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") != "" {
		return fmt.Errorf("%w: quant %q: want letters, digits, '_', '-' or '.', up to %d bytes", ErrBadName, truncateName(q), maxQuantLen)
	}
	return nil
}

func parseFileRef(s string) (Ref, error) {
	body, rev, hasRev := strings.Cut(s, "@")
	if !hasRev {
		rev = DefaultRevision
	}
	parts := strings.SplitN(body, "/", 3)
	if len(parts) < 3 && strings.HasSuffix(strings.ToLower(s), ".gguf") {
		// Most likely a mistyped local file, not a hub reference.
		return Ref{}, fmt.Errorf("%w: model %q: no such file (a local model is an existing .gguf file; a hub file is ORG/REPO/FILE.gguf)",
			ErrBadName, truncateName(s))
	}
	if len(parts) != 3 || !strings.HasSuffix(strings.ToLower(parts[2]), ".gguf") {
		return Ref{}, fmt.Errorf("%w: model %q: want an alias, hf.co/ORG/REPO[:QUANT], ORG/REPO/FILE.gguf[@REVISION] or a path to a .gguf file (aliases: %s)",
			ErrBadName, truncateName(s), strings.Join(aliasNames(), ", "))
	}
	repo := parts[0] + "/" + parts[1]
	if err := checkRepo(repo); err != nil {
		return Ref{}, fmt.Errorf("model %q: %w", s, err)
	}
	if err := checkName(kindFile, parts[2]); err != nil {
		return Ref{}, fmt.Errorf("model %q: %w", s, err)
	}
	if err := checkName(kindRevision, rev); err != nil {
		return Ref{}, fmt.Errorf("model %q: %w", s, err)
	}
	return Ref{Kind: RefFile, Input: s, Repo: repo, File: parts[2], Revision: rev}, nil
}

func looksLocal(s string) bool {
	if filepath.IsAbs(s) || strings.HasPrefix(s, "./") || strings.HasPrefix(s, "../") || strings.HasPrefix(s, "~/") {
		return true
	}
	fi, err := os.Stat(s)
	return err == nil && fi.Mode().IsRegular()
}

func parseLocal(s string) (Ref, error) {
	p := s
	if rest, ok := strings.CutPrefix(s, "~/"); ok {
		home, err := os.UserHomeDir()
		if err != nil {
			return Ref{}, fmt.Errorf("model %q: %w", s, err)
		}
		p = filepath.Join(home, rest)
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return Ref{}, fmt.Errorf("model %q: %w", s, err)
	}
	return Ref{Kind: RefLocal, Input: s, Path: abs}, nil
}
