package prompts

import (
	"bytes"
	"embed"
	"fmt"
	"strings"
	"text/template"
)

//go:embed en/*.tmpl fr/*.tmpl
var files embed.FS

// Stage template names, the same in every language.
const (
	System   = "system"
	Brief    = "brief"
	Outline  = "outline"
	Section  = "section"
	Review   = "review"
	Revise   = "revise"
	Metadata = "metadata"
	Repair   = "repair"
)

// Languages lists the supported languages, in a fixed order.
var Languages = []string{"en", "fr"}

var sets = map[string]*template.Template{}

func init() {
	funcs := template.FuncMap{"join": strings.Join, "inc": func(i int) int { return i + 1 }}
	for _, lang := range Languages {
		t, err := template.New(lang).Funcs(funcs).Option("missingkey=error").ParseFS(files, lang+"/*.tmpl")
		if err != nil {
			panic(fmt.Sprintf("prompts: embedded %s templates: %v", lang, err)) // a build defect, caught by tests
		}
		sets[lang] = t
	}
}

// Supported reports whether lang has a template set.
func Supported(lang string) bool { _, ok := sets[lang]; return ok }

// Render executes the template name ("outline", …) of lang with data and
// returns the prompt with trailing spaces removed and runs of blank lines
// collapsed.
func Render(lang, name string, data any) (string, error) {
	set, ok := sets[lang]
	if !ok {
		return "", fmt.Errorf("prompts: unsupported language %q", lang)
	}
	var b bytes.Buffer
	if err := set.ExecuteTemplate(&b, name+".tmpl", data); err != nil {
		return "", fmt.Errorf("prompts: %s/%s: %w", lang, name, err)
	}
	return normalise(b.String()), nil
}

func normalise(s string) string {
	lines := strings.Split(s, "\n")
	out := make([]string, 0, len(lines))
	blank := false
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if l == "" {
			if blank || len(out) == 0 {
				continue
			}
			blank = true
		} else {
			blank = false
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}
