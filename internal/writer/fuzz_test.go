package writer

import (
	"regexp"
	"testing"
	"unicode/utf8"
)

func FuzzParseManifest(f *testing.F) {
	f.Add([]byte(`{"format":"plume-manifest/1","inputs":{"topic":"x"},"calls":[]}`))
	f.Add([]byte(`{"format":"other"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseManifest(data)
		if err != nil {
			return
		}
		if _, err := m.Canonical(); err != nil {
			t.Fatalf("parsed manifest does not marshal: %v", err)
		}
		opts := m.ReplayOptions()
		_ = opts.Normalize() // hostile recorded inputs: an error, never a panic
	})
}

var slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

func FuzzSlugify(f *testing.F) {
	for _, s := range []string{"Hello, World!", "L'été à Paris", "../../x", "", "œ-æ-ß"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, title string) {
		s := Slugify(title)
		if len(s) > MaxSlugChars || !slugRE.MatchString(s) {
			t.Fatalf("Slugify(%q) = %q", title, s)
		}
	})
}

func FuzzDetectLanguage(f *testing.F) {
	for _, s := range []string{"How to compost", "Comment composter", "l'été", "", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		lang, src := DetectLanguage(text)
		if (lang != "en" && lang != "fr") || (src != "detected" && src != "default") {
			t.Fatalf("DetectLanguage(%q) = %s, %s", text, lang, src)
		}
	})
}

func FuzzCleanText(f *testing.F) {
	for _, s := range []string{"## H\ntext\n\n\n\nmore", "", "#", "\r\n\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := cleanText(s)
		if utf8.ValidString(s) && !utf8.ValidString(out) {
			t.Fatalf("cleanText broke UTF-8")
		}
	})
}
