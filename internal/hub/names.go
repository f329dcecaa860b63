package hub

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Name limits.
const (
	// MaxSegmentLen caps one path segment: 255 bytes is the NAME_MAX of every
	// file system the cache may live on.
	MaxSegmentLen = 255
	// MaxRepoPartLen caps an organisation or repository name; the Hub itself
	// allows 96 characters.
	MaxRepoPartLen = 96
	// MaxNameLen caps a whole file path or revision: the Hub limits paths to
	// well under this, and the cache prefix must still fit in PATH_MAX.
	MaxNameLen = 1024
)

// nameKind selects the rules checkName applies.
type nameKind int

const (
	kindRepoPart nameKind = iota // ORG or REPO: [A-Za-z0-9._-], no "--" or "..", one segment
	kindFile                     // a file path inside the repo: relative segments separated by '/'
	kindRevision                 // branch, tag, refs/pr/N or commit: [A-Za-z0-9._/-] segments
	kindDigest                   // a sha256 (64) or git commit (40) in lowercase hex
)

func (k nameKind) String() string {
	return [...]string{"repository name", "file name", "revision", "digest"}[k]
}

// ErrBadName is wrapped by every name rejection.
var ErrBadName = errors.New("invalid name")

// checkName is the one gate every repository, file, revision and digest name
// passes before it becomes part of a path or URL. It rejects empty and
// over-long names, NUL and other control characters, backslashes, absolute
// paths, empty, "." and ".." segments, and invalid UTF-8.
func checkName(kind nameKind, s string) error {
	bad := func(why string) error { return fmt.Errorf("%w: %s %q: %s", ErrBadName, kind, truncateName(s), why) }
	limit := MaxNameLen
	if kind == kindRepoPart {
		limit = MaxRepoPartLen
	}
	switch {
	case s == "":
		return bad("empty")
	case len(s) > limit:
		return bad(fmt.Sprintf("longer than %d bytes", limit))
	case !utf8.ValidString(s):
		return bad("not valid UTF-8")
	case strings.HasPrefix(s, "/"):
		return bad("absolute path")
	}
	for _, r := range s {
		switch {
		case r < 0x20 || r == 0x7f:
			return bad("control character")
		case r == '\\':
			return bad("backslash")
		case r == ':' && kind != kindRevision:
			return bad("colon")
		}
	}
	switch kind {
	case kindDigest:
		if (len(s) != 40 && len(s) != 64) || strings.Trim(s, "0123456789abcdef") != "" {
			return bad("want 40 or 64 lowercase hex digits")
		}
		return nil
	case kindRepoPart:
		if strings.Contains(s, "/") {
			return bad("contains '/'")
		}
		if strings.Contains(s, "--") || strings.Contains(s, "..") {
			return bad(`contains "--" or ".."`)
		}
		if strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != "" {
			return bad("only letters, digits, '.', '_' and '-' are allowed")
		}
		if strings.HasPrefix(s, "-") || strings.HasPrefix(s, ".") || strings.HasSuffix(s, "-") || strings.HasSuffix(s, ".") {
			return bad("starts or ends with '-' or '.'")
		}
		return nil
	}
	return checkSegments(s, kind, bad)
}

func checkSegments(s string, kind nameKind, bad func(string) error) error {
	for seg := range strings.SplitSeq(s, "/") {
		switch {
		case seg == "":
			return bad("empty path segment")
		case seg == "." || seg == "..":
			return bad("'.' or '..' segment")
		case len(seg) > MaxSegmentLen:
			return bad(fmt.Sprintf("segment longer than %d bytes", MaxSegmentLen))
		case kind == kindRevision && strings.Trim(seg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != "":
			return bad("only letters, digits, '.', '_', '-' and '/' are allowed")
		case strings.HasSuffix(seg, ".incomplete") || strings.HasSuffix(seg, ".lock"):
			return bad("reserved suffix")
		}
	}
	return nil
}

// truncateName keeps error messages short for hostile, huge names.
func truncateName(s string) string {
	const maxShown = 80
	if len(s) > maxShown {
		return s[:maxShown] + "…"
	}
	return s
}

// checkRepo validates an ORG/REPO id.
func checkRepo(repo string) error {
	org, name, ok := strings.Cut(repo, "/")
	if !ok {
		return fmt.Errorf("%w: repository %q: want ORG/REPO", ErrBadName, truncateName(repo))
	}
	if err := checkName(kindRepoPart, org); err != nil {
		return err
	}
	return checkName(kindRepoPart, name)
}

// repoDir is the cache folder of a repository: models--ORG--REPO. The repo
// must have passed checkRepo ("--" cannot occur inside ORG or REPO, so the
// mapping is one-to-one).
func repoDir(repo string) string {
	return "models--" + strings.Replace(repo, "/", "--", 1)
}
