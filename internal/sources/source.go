package sources

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Kinds of source, by format.
const (
	KindMarkdown = "markdown"
	KindText     = "text"
	KindHTML     = "html"
	KindPDF      = "pdf"
)

// MaxSourceBytes caps one source, file or download: 20 MiB holds a long
// report as PDF, while a larger file is almost never an author's note and
// would only slow indexing (a model context holds a few pages at most).
const MaxSourceBytes = 20 << 20

// MaxDirFiles caps how many files one --source DIR may bring in, so that a
// mistyped home directory fails fast instead of indexing thousands of files.
const MaxDirFiles = 200

// Errors a bad source wraps; test them with errors.Is.
var (
	ErrTooLarge       = errors.New("source too large")
	ErrBinary         = errors.New("binary content, not text")
	ErrNotText        = errors.New("not UTF-8 text after charset detection")
	ErrNoText         = errors.New("no text could be extracted")
	ErrUnsupported    = errors.New("unsupported source format")
	ErrContentType    = errors.New("unsupported content type")
	ErrNotFound       = errors.New("not found (HTTP 404)")
	ErrHTTPStatus     = errors.New("HTTP error status")
	ErrUnreachable    = errors.New("unreachable")
	ErrPrivateAddress = errors.New("refused: not a public internet address")
	ErrTooManyRedir   = errors.New("too many redirects")
	ErrCredentials    = errors.New("refused: URL carries credentials")
	ErrScheme         = errors.New("refused: only http and https URLs")
	ErrOffline        = errors.New("offline: URL not in the library")
	ErrTooManyFiles   = errors.New("too many files in source directory")
)

// Source is one loaded source. Text is UTF-8; headings are "#" lines.
type Source struct {
	// Origin is what the user gave (a path or a URL).
	Origin string `json:"origin"`
	// URL is the final URL after redirects (URLs only).
	URL string `json:"url,omitempty"`
	// File is the file's base name (files only).
	File      string    `json:"file,omitempty"`
	Kind      string    `json:"kind"`
	Title     string    `json:"title,omitempty"`
	Author    string    `json:"author,omitempty"`
	Charset   string    `json:"charset,omitempty"`
	Retrieved time.Time `json:"retrieved"`
	// SHA256 is the hash of the raw bytes, before extraction.
	SHA256 string `json:"sha256"`
	Text   string `json:"text"`
}

// Name is how a reference list names the source: its title, else its URL
// or file name.
func (s *Source) Name() string {
	switch {
	case s.Title != "":
		return s.Title
	case s.URL != "":
		return s.URL
	}
	return s.File
}

// Cache keeps fetched URLs (the article library implements it).
type Cache interface {
	// LookupSource returns the stored source for a URL as the user gave
	// it, ok=false when there is none.
	LookupSource(ctx context.Context, origin string) (src *Source, ok bool, err error)
	// PutSource stores a fetched source.
	PutSource(ctx context.Context, src *Source) error
}

// Loader loads sources. The zero value reads files only; set Fetcher for
// URLs.
type Loader struct {
	Fetcher *Fetcher
	Cache   Cache // may be nil
	// Offline refuses URLs that the cache does not hold.
	Offline bool
	// Now stamps retrieval times (time.Now when nil).
	Now func() time.Time
}

// IsURL reports whether ref names a URL rather than a path.
func IsURL(ref string) bool {
	u, err := url.Parse(ref)
	return err == nil && u.Scheme != "" && u.Host != "" && strings.Contains(ref, "://")
}

func (l *Loader) now() time.Time {
	if l.Now != nil {
		return l.Now().UTC()
	}
	return time.Now().UTC()
}

// Load loads one --source argument: a file, a directory (its supported
// files, sorted by path, not recursing into hidden folders) or a URL.
func (l *Loader) Load(ctx context.Context, ref string) ([]*Source, error) {
	if IsURL(ref) {
		s, err := l.loadURL(ctx, ref)
		if err != nil {
			return nil, fmt.Errorf("source %s: %w", ref, err)
		}
		return []*Source{s}, nil
	}
	info, err := os.Stat(ref)
	if err != nil {
		return nil, fmt.Errorf("source %s: %w", ref, err)
	}
	if !info.IsDir() {
		s, err := l.loadFile(ref)
		if err != nil {
			return nil, fmt.Errorf("source %s: %w", ref, err)
		}
		return []*Source{s}, nil
	}
	paths, err := dirFiles(ref)
	if err != nil {
		return nil, fmt.Errorf("source %s: %w", ref, err)
	}
	var out []*Source
	for _, p := range paths {
		s, err := l.loadFile(p)
		if err != nil {
			return nil, fmt.Errorf("source %s: %w", p, err)
		}
		out = append(out, s)
	}
	return out, nil
}

// dirFiles lists the supported files under dir, sorted.
func dirFiles(dir string) ([]string, error) {
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != dir && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if kindOfName(p) == "" || !d.Type().IsRegular() {
			return nil
		}
		if len(paths) == MaxDirFiles {
			return fmt.Errorf("%w (more than %d)", ErrTooManyFiles, MaxDirFiles)
		}
		paths = append(paths, p)
		return nil
	})
	sort.Strings(paths)
	return paths, err
}

// kindOfName maps a file extension to a kind ("" when unsupported).
func kindOfName(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".md", ".markdown":
		return KindMarkdown
	case ".txt", ".text":
		return KindText
	case ".html", ".htm", ".xhtml":
		return KindHTML
	case ".pdf":
		return KindPDF
	}
	return ""
}

func (l *Loader) loadFile(path string) (*Source, error) {
	kind := kindOfName(path)
	if kind == "" {
		return nil, fmt.Errorf("%w: %s (use .md, .txt, .html or .pdf)", ErrUnsupported, filepath.Ext(path))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	raw, err := readCapped(f)
	if err != nil {
		return nil, err
	}
	s := &Source{Origin: path, File: filepath.Base(path), Kind: kind, Retrieved: l.now()}
	if err := Extract(s, raw, ""); err != nil {
		return nil, err
	}
	return s, nil
}

// readCapped reads at most MaxSourceBytes, failing past that.
func readCapped(r io.Reader) ([]byte, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxSourceBytes+1))
	if err != nil {
		return nil, err
	}
	if len(raw) > MaxSourceBytes {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, MaxSourceBytes)
	}
	return raw, nil
}

func (l *Loader) loadURL(ctx context.Context, ref string) (*Source, error) {
	if l.Cache != nil {
		s, ok, err := l.Cache.LookupSource(ctx, ref)
		if err != nil {
			return nil, fmt.Errorf("library: %w", err)
		}
		if ok {
			return s, nil
		}
	}
	if l.Offline {
		return nil, ErrOffline
	}
	f := l.Fetcher
	if f == nil {
		f = &Fetcher{}
	}
	page, err := f.Fetch(ctx, ref)
	if err != nil {
		return nil, err
	}
	s := &Source{Origin: ref, URL: page.URL, Kind: page.Kind, Retrieved: l.now()}
	if err := Extract(s, page.Body, page.ContentType); err != nil {
		return nil, err
	}
	if l.Cache != nil {
		if err := l.Cache.PutSource(ctx, s); err != nil {
			return nil, fmt.Errorf("library: %w", err)
		}
	}
	return s, nil
}

// Extract fills s.Text, s.SHA256, s.Charset and (when the document names
// them) s.Title and s.Author from raw bytes of kind s.Kind; contentType is
// the HTTP Content-Type ("" for files).
func Extract(s *Source, raw []byte, contentType string) error {
	sum := sha256.Sum256(raw)
	s.SHA256 = hex.EncodeToString(sum[:])
	var err error
	switch s.Kind {
	case KindPDF:
		s.Text, err = pdfText(raw)
	case KindHTML:
		var text string
		if text, s.Charset, err = decodeText(raw, contentType, true); err == nil {
			err = htmlExtract(s, text)
		}
	case KindMarkdown, KindText:
		s.Text, s.Charset, err = decodeText(raw, contentType, false)
		if err == nil {
			s.Text = normalize(s.Text)
			if s.Title == "" {
				s.Title = firstHeading(s.Text)
			}
		}
	default:
		err = fmt.Errorf("%w: %q", ErrUnsupported, s.Kind)
	}
	if err != nil {
		return err
	}
	if strings.TrimSpace(s.Text) == "" {
		return ErrNoText
	}
	return nil
}

// firstHeading returns the text of the first "# " line, if any.
func firstHeading(text string) string {
	for line := range strings.SplitSeq(text, "\n") {
		if t, ok := strings.CutPrefix(line, "# "); ok {
			return strings.TrimSpace(t)
		}
	}
	return ""
}

// normalize turns CRLF into LF, trims trailing spaces and collapses runs
// of blank lines to one.
func normalize(text string) string {
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	var b strings.Builder
	blank := 0
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.TrimRight(line, " \t\u00a0")
		if line == "" {
			blank++
			continue
		}
		if b.Len() > 0 {
			if blank > 0 {
				b.WriteString("\n\n")
			} else {
				b.WriteByte('\n')
			}
		}
		blank = 0
		b.WriteString(line)
	}
	return b.String()
}
