package sources

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var fixedNow = func() time.Time { return time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC) }

func loadOne(t *testing.T, path string) *Source {
	t.Helper()
	l := &Loader{Now: fixedNow}
	got, err := l.Load(context.Background(), path)
	if err != nil {
		t.Fatalf("Load(%s): %v", path, err)
	}
	if len(got) != 1 {
		t.Fatalf("Load(%s): %d sources, want 1", path, len(got))
	}
	return got[0]
}

// TestHTMLMainContentOnly loads a page with navigation, ads, scripts, an
// iframe, a related-links aside and a footer: only the article survives.
func TestHTMLMainContentOnly(t *testing.T) {
	s := loadOne(t, "testdata/compost.html")
	for _, want := range []string{
		"Composting turns kitchen scraps", "## What goes in the bin", "one part green to two parts brown",
		"## How long it takes", "three to six months",
	} {
		if !strings.Contains(s.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, s.Text)
		}
	}
	for _, bad := range []string{
		"TRACKER", "INJECTED", "NAVIGATION-LINK", "ADVERT-TEXT", "INLINE-SCRIPT", "IFRAME-TEXT",
		"RELATED-LINK", "FOOTER-TEXT", "font-family", "<", "analytics",
	} {
		if strings.Contains(s.Text, bad) {
			t.Errorf("text keeps %q:\n%s", bad, s.Text)
		}
	}
	if s.Kind != KindHTML || s.File != "compost.html" || !strings.Contains(s.Title, "Composting in a small garden") {
		t.Errorf("kind %q file %q title %q", s.Kind, s.File, s.Title)
	}
	if s.Author != "By Jane Gardener" && s.Author != "Jane Gardener" {
		t.Errorf("author %q", s.Author)
	}
	if len(s.SHA256) != 64 || !s.Retrieved.Equal(fixedNow()) {
		t.Errorf("sha256 %q retrieved %v", s.SHA256, s.Retrieved)
	}
}

// TestFrenchCharsets reads the same French text in UTF-8 and in Latin-1.
func TestFrenchCharsets(t *testing.T) {
	utf := loadOne(t, "testdata/jardin-utf8.md")
	lat := loadOne(t, "testdata/jardin-latin1.txt")
	if utf.Charset != "utf-8" || lat.Charset != "windows-1252" {
		t.Errorf("charsets %q %q", utf.Charset, lat.Charset)
	}
	if utf.Text != lat.Text {
		t.Errorf("Latin-1 text differs from UTF-8:\n%q\n%q", lat.Text, utf.Text)
	}
	if !strings.Contains(lat.Text, "épluchures") || utf.Title != "Le compost au jardin" {
		t.Errorf("text %q title %q", lat.Text, utf.Title)
	}
	if utf.SHA256 == lat.SHA256 {
		t.Error("sha256 must be of the raw bytes, which differ")
	}
}

func TestDecodeText(t *testing.T) {
	tests := []struct {
		name, ct string
		raw      []byte
		html     bool
		want     string
		err      error
	}{
		{"utf8", "", []byte("Été à Paris"), false, "Été à Paris", nil},
		{"bom", "", []byte("\ufeffÉté"), false, "Été", nil},
		{"latin1", "", []byte("\xc9t\xe9 \xe0 Paris"), false, "Été à Paris", nil},
		{"declared latin1", "text/plain; charset=iso-8859-1", []byte("caf\xe9"), false, "café", nil},
		{"meta latin1", "", []byte(`<meta charset="iso-8859-1"><p>caf` + "\xe9"), true, `<meta charset="iso-8859-1"><p>café`, nil},
		{"utf16", "", []byte{0xFF, 0xFE, 'h', 0, 'i', 0}, false, "hi", nil},
		{"nul", "", []byte("abc\x00def"), false, "", ErrBinary},
		{"controls", "", []byte(strings.Repeat("\x01\x02\x03abc", 50)), false, "", ErrBinary},
		{"symbols", "", []byte(strings.Repeat("\x81\x8d\xa4\xa6", 20)), false, "", ErrNotText},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := decodeText(tc.raw, tc.ct, tc.html)
			if !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
				t.Fatalf("err %v, want %v", err, tc.err)
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestBadFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	big := make([]byte, MaxSourceBytes+1)
	for i := range big {
		big[i] = 'a'
	}
	tests := []struct {
		name string
		path string
		err  error
	}{
		{"binary", write("blob.txt", []byte{0x7f, 'E', 'L', 'F', 0, 0, 1, 2}), ErrBinary},
		{"too large", write("big.txt", big), ErrTooLarge},
		{"unsupported", write("sheet.xlsx", []byte("PK")), ErrUnsupported},
		{"empty", write("empty.md", []byte("\n\n  \n")), ErrNoText},
		{"fake pdf", write("fake.pdf", []byte("hello")), ErrUnsupported},
		{"broken pdf", write("broken.pdf", []byte("%PDF-1.4\n1 0 obj garbage")), ErrNoText},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := (&Loader{}).Load(context.Background(), tc.path)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err %v, want %v", err, tc.err)
			}
			if !strings.Contains(err.Error(), tc.path) { // the user reads which file
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
	if _, err := (&Loader{}).Load(context.Background(), filepath.Join(dir, "missing.md")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestDirectory(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"b.md": "# B\n\nbeta", "a.txt": "alpha", "skip.png": "x", ".hidden/c.md": "gamma", "sub/d.md": "delta",
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	got, err := (&Loader{}).Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range got {
		names = append(names, s.File+"="+s.Text)
	}
	if strings.Join(names, ",") != "a.txt=alpha,b.md=# B\n\nbeta,d.md=delta" {
		t.Errorf("got %q", names)
	}
}

// makePDF renders roff text to PDF with groff (installed by .ci/run).
func makePDF(t *testing.T, roff string, args ...string) []byte {
	t.Helper()
	groff, err := exec.LookPath("groff")
	if err != nil {
		t.Fatal("groff is needed to make the test PDF: apt-get install groff (.ci/run does)")
	}
	cmd := exec.Command(groff, append(args, "-k", "-Tpdf")...)
	cmd.Stdin = strings.NewReader(roff)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("groff: %v", err)
	}
	return out
}

func TestPDF(t *testing.T) {
	pdf := makePDF(t, ".NH\nLe compost\n.PP\nLe compost nourrit le sol du jardin toute l'année.\n.PP\nWorms turn kitchen scraps into humus.\n", "-ms")
	p := filepath.Join(t.TempDir(), "compost.pdf")
	if err := os.WriteFile(p, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	s := loadOne(t, p)
	for _, want := range []string{"compost nourrit le sol du jardin", "année", "Worms turn kitchen scraps into humus"} {
		if !strings.Contains(s.Text, want) {
			t.Errorf("PDF text lacks %q: %q", want, s.Text)
		}
	}
	// A PDF with a page holding only a drawn line, no text layer.
	empty := makePDF(t, ".sp\n\\D'l 1i 0'\n")
	if err := os.WriteFile(p, empty, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := (&Loader{}).Load(context.Background(), p); !errors.Is(err, ErrNoText) {
		t.Errorf("PDF without text: %v, want ErrNoText", err)
	}
}

func FuzzExtract(f *testing.F) {
	for _, p := range []string{"testdata/compost.html", "testdata/jardin-latin1.txt"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj trailer << /Root 1 0 R >>"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		if len(raw) > 1<<16 {
			return
		}
		for _, kind := range []string{KindHTML, KindText, KindPDF} {
			s := &Source{Kind: kind}
			if err := Extract(s, raw, ""); err == nil && strings.TrimSpace(s.Text) == "" {
				t.Fatalf("%s: no error but no text", kind)
			}
		}
	})
}
