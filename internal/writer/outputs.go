package writer

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/plumewriter/plume/internal/llm"
)

// Output formats of an article file.
const (
	FormatMarkdown = "md"
	FormatHTML     = "html"
	FormatJSON     = "json"
)

// Formats lists the output formats.
var Formats = []string{FormatMarkdown, FormatHTML, FormatJSON}

// ManifestSuffix ends the name of the manifest written beside an article.
const ManifestSuffix = ".plume.json"

// Render returns the article in format (md, html or json), as its file
// holds it.
func (a *Article) Render(format, version string) ([]byte, error) {
	switch format {
	case FormatHTML:
		return a.HTML(version)
	case FormatJSON:
		return a.JSON(version, a.Manifest.Model.Ref)
	case FormatMarkdown, "":
		return a.Markdown, nil
	}
	return nil, fmt.Errorf("%w: unknown format %q (md, html or json)", ErrInput, format)
}

// ErrOutputDir marks an output directory that cannot be created or
// written.
var ErrOutputDir = errors.New("unusable output directory")

// CheckOutputDir makes sure dir is a writable directory (creating it)
// before any generation: a typo in --out must not cost a whole article's
// generation time first.
func CheckOutputDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("%w: %w", ErrOutputDir, err)
	}
	probe, err := os.CreateTemp(dir, ".plume-probe-*")
	if err != nil {
		return fmt.Errorf("%w: %s is not writable: %w", ErrOutputDir, dir, err)
	}
	probe.Close()
	return os.Remove(probe.Name())
}

// maxOutputSuffix bounds the search for a free file name (slug-2, slug-3, …)
// so that a directory full of same-titled articles gives an error, not a
// long loop.
const maxOutputSuffix = 1000

// writeFiles renders the article of st in format and writes it with its
// manifest into dir as SLUG.FORMAT and SLUG.plume.json. A name already taken
// by other content is never overwritten: the article then gets SLUG-2 (then
// -3, …), and the suffix is part of the article, so that its slug in the
// front matter, its canonical URL and its JSON-LD url match the file name
// (st.Options.Slug records it; the returned article is rendered with it).
// Rewriting the very same bytes (a replay) reuses the name. The slug is
// made of [a-z0-9-] only, so the paths stay inside dir.
func writeFiles(dir, format, version string, st *State, info llm.ModelInfo) (*Article, []byte, []string, error) {
	titleSlug := Slugify(st.Metadata.Title)
	base := cmp.Or(st.Options.Slug, titleSlug)
	oldOpt, oldMeta := st.Options.Slug, st.Metadata.Slug
	for i := 1; i <= maxOutputSuffix; i++ {
		slug := base
		if i > 1 {
			slug = fmt.Sprintf("%s-%d", base, i)
		}
		st.Options.Slug, st.Metadata.Slug = "", slug
		if slug != titleSlug {
			st.Options.Slug = slug
		}
		art, err := Assemble(st, info, version)
		if err != nil {
			break
		}
		body, err := art.Render(format, version)
		if err != nil {
			break
		}
		manifest, err := art.Manifest.Marshal()
		if err != nil {
			break
		}
		name := filepath.Join(dir, slug+"."+format)
		mname := filepath.Join(dir, slug+ManifestSuffix)
		if !sameOrAbsent(name, body) || !sameOrAbsent(mname, manifest) {
			continue
		}
		if err := WritePair(name, body, mname, manifest); err != nil {
			st.Options.Slug, st.Metadata.Slug = oldOpt, oldMeta
			return nil, nil, nil, err
		}
		return art, body, []string{name, mname}, nil
	}
	st.Options.Slug, st.Metadata.Slug = oldOpt, oldMeta
	if _, err := Assemble(st, info, version); err != nil {
		return nil, nil, nil, err
	}
	return nil, nil, nil, fmt.Errorf("output directory %s: no free file name for %q after %d tries", dir, base, maxOutputSuffix)
}

// sameOrAbsent reports whether path does not exist or already holds data.
func sameOrAbsent(path string, data []byte) bool {
	old, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return true
	}
	return err == nil && bytes.Equal(old, data)
}

// WriteFileAtomic writes data to path through a synced temporary file in
// the same directory and a rename, so that path holds either its old
// contents or all of data, never a part.
func WriteFileAtomic(path string, data []byte) error {
	tmp, err := writeTemp(path, data)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return syncDir(filepath.Dir(path))
}

// WritePair writes an article file and its manifest so that the article
// never exists without its manifest (restic's pattern): both are written
// to temporary files in their directory and fsynced first, so that a full
// disk or any write error fails before either name appears; then the
// manifest is renamed into place, then the article, and the directory is
// fsynced.
func WritePair(name string, body []byte, mname string, manifest []byte) error {
	mtmp, err := writeTemp(mname, manifest)
	if err != nil {
		return err
	}
	defer os.Remove(mtmp) // fails harmlessly once renamed
	tmp, err := writeTemp(name, body)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if err := os.Rename(mtmp, mname); err != nil {
		return fmt.Errorf("write %s: %w", mname, err)
	}
	if err := os.Rename(tmp, name); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return syncDir(filepath.Dir(name))
}

// writeTemp writes data to a new temporary file beside path, fsyncs and
// closes it, and returns its name; on error nothing is left behind.
func writeTemp(path string, data []byte) (string, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".plume-*")
	if err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	err = writeSyncClose(tmp, data)
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return tmp.Name(), nil
}

func writeSyncClose(f *os.File, data []byte) error {
	_, err := f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncDir fsyncs a directory so that renames in it survive a crash, where
// the platform can (Windows cannot open a directory for it; some file
// systems refuse): best effort, as the files themselves are already synced.
func syncDir(dir string) error {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
