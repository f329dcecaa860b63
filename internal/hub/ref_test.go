package hub

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseRef(t *testing.T) {
	tests := []struct {
		in   string
		want Ref // Input is not compared
		bad  bool
	}{
		{in: "hf.co/Qwen/Qwen2.5-1.5B-Instruct-GGUF:Q4_K_M", want: Ref{Kind: RefQuant, Repo: "Qwen/Qwen2.5-1.5B-Instruct-GGUF", Quant: "Q4_K_M", Revision: "main"}},
		{in: "hf.co/Qwen/Qwen2.5-1.5B-Instruct-GGUF", want: Ref{Kind: RefQuant, Repo: "Qwen/Qwen2.5-1.5B-Instruct-GGUF", Quant: DefaultQuant, Revision: "main"}},
		{in: "huggingface.co/a/b:q8_0", want: Ref{Kind: RefQuant, Repo: "a/b", Quant: "q8_0", Revision: "main"}},
		{in: "a/b/sub/m.gguf@refs/pr/2", want: Ref{Kind: RefFile, Repo: "a/b", File: "sub/m.gguf", Revision: "refs/pr/2"}},
		{in: "a/b/m.GGUF", want: Ref{Kind: RefFile, Repo: "a/b", File: "m.GGUF", Revision: "main"}},
		{in: "qwen2.5:1.5b", want: Ref{Kind: RefAlias, Repo: "Qwen/Qwen2.5-1.5B-Instruct-GGUF", Quant: "Q4_K_M", Revision: "main", License: "Apache-2.0"}},
		{in: "/abs/m.gguf", want: Ref{Kind: RefLocal, Path: "/abs/m.gguf"}},
		{in: "", bad: true},
		{in: "hf.co/a", bad: true},
		{in: "hf.co/a/b/c", bad: true},
		{in: "hf.co/a/b:Q4 K", bad: true},
		{in: "hf.co/../b", bad: true},
		{in: "a/b/c.txt", bad: true},
		{in: "a/b/../../c.gguf", bad: true},
		{in: "a/b/c.gguf@", bad: true},
		{in: "a/b/c.gguf@../x", bad: true},
		{in: "nosuchalias:7b", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			r, err := ParseRef(tt.in)
			if tt.bad {
				if !errors.Is(err, ErrBadName) {
					t.Errorf("ParseRef(%q) = %+v, %v; want ErrBadName", tt.in, r, err)
				}
				return
			}
			r.Input = ""
			if err != nil || r != tt.want {
				t.Errorf("ParseRef(%q) = %+v, %v; want %+v", tt.in, r, err, tt.want)
			}
		})
	}
	// A relative path to an existing file is local.
	dir := t.TempDir()
	p := filepath.Join(dir, "m.gguf")
	os.WriteFile(p, []byte("x"), 0o644)
	t.Chdir(dir)
	if r, err := ParseRef("m.gguf"); err != nil || r.Kind != RefLocal || r.Path != p {
		t.Errorf("existing relative file: %+v %v", r, err)
	}
}

func TestAliases(t *testing.T) {
	found := false
	for _, a := range Aliases() {
		r, err := ParseRef(a.Name)
		if err != nil || r.Kind != RefAlias || r.License == "" {
			t.Errorf("alias %s: %+v %v", a.Name, r, err)
		}
		if a.Name == DefaultModel() {
			found = true
		}
	}
	if !found {
		t.Fatalf("DefaultModel %q is not an alias", DefaultModel())
	}
	if LicenseForRepo("Qwen/Qwen2.5-1.5B-Instruct-GGUF") != "Apache-2.0" || LicenseForRepo("x/y") != "" {
		t.Error("LicenseForRepo")
	}
}

func TestPickQuant(t *testing.T) {
	files := []string{"README.md", "m-Q4_K.gguf", "m-Q4_K_M.gguf", "sub/m-Q4_K_M.gguf", "m-q8_0.gguf", "big-Q6_K-00001-of-00002.gguf", "m-IQ4_XS.gguf", "u-UD-Q4_K_XL.gguf"}
	tests := []struct{ quant, want string }{
		{"Q4_K_M", "m-Q4_K_M.gguf"},
		{"q4_k", "m-Q4_K.gguf"},
		{"Q8_0", "m-q8_0.gguf"},
		{"IQ4_XS", "m-IQ4_XS.gguf"},
		{"Q4_0", ""},
		{"Q6_K", ""}, // split
		{"XS", ""},   // not a delimited token
		{"K_M", ""},
		{"UD-Q4_K_XL", "u-UD-Q4_K_XL.gguf"},
	}
	for _, tt := range tests {
		t.Run(tt.quant, func(t *testing.T) {
			got, err := pickQuant(files, tt.quant)
			if got != tt.want || (tt.want == "") != (err != nil) {
				t.Errorf("pickQuant(%s) = %q, %v; want %q", tt.quant, got, err, tt.want)
			}
		})
	}
}

func TestQuantFromName(t *testing.T) {
	for in, want := range map[string]string{
		"qwen2.5-1.5b-instruct-q4_k_m.gguf": "Q4_K_M", "Llama-3.2-1B-Instruct-Q8_0.gguf": "Q8_0",
		"model-f16.gguf": "F16", "x.BF16.gguf": "BF16", "m-IQ4_XS.gguf": "IQ4_XS", "stories260K.gguf": "",
	} {
		if got := QuantFromName(in); got != want {
			t.Errorf("QuantFromName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLicenseFromCard(t *testing.T) {
	for card, want := range map[string]string{
		"---\nlicense: apache-2.0\ntags: [a]\n---\n# x":           "apache-2.0",
		"---\nlicense: other\nlicense_name: qwen-research\n---\n": "qwen-research",
		"# no front matter\nlicense: mit\n":                       "",
		"---\nlicense: \"mit\"\n":                                 "",
	} {
		if got := licenseFromCard(card); got != want {
			t.Errorf("licenseFromCard(%q) = %q, want %q", card, got, want)
		}
	}
}

func TestParseContentRange(t *testing.T) {
	tests := []struct {
		in           string
		start, total int64
		ok           bool
	}{
		{"bytes 100-199/200", 100, 200, true},
		{"bytes 0-0/*", 0, -1, true},
		{"bytes x-1/2", 0, 0, false},
		{"items 1-2/3", 0, 0, false},
		{"bytes 5", 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			s, n, ok := parseContentRange(tt.in)
			if ok != tt.ok || ok && (s != tt.start || n != tt.total) {
				t.Errorf("parseContentRange(%q) = %d %d %v", tt.in, s, n, ok)
			}
		})
	}
}

// TestParseRefMistypedLocalFile: `plume run modle.gguf` (a typo for a local
// file) must say the file does not exist, not list the hub syntaxes.
func TestParseRefMistypedLocalFile(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, in := range []string{"nosuch.gguf", "models/nosuch.GGUF"} {
		_, err := ParseRef(in)
		if !errors.Is(err, ErrBadName) || !strings.Contains(err.Error(), "no such file") {
			t.Errorf("ParseRef(%q) error = %v, want ErrBadName saying no such file", in, err)
		}
	}
}
