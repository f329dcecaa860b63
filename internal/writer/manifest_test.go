package writer

import (
	"bytes"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/plumewriter/plume/internal/writer/fakegen"
)

func TestManifestCanonicalExcludesRun(t *testing.T) {
	art, _ := runArticle(t, &fakegen.Generator{}, testOptions("How to make compost at home"))
	m := art.Manifest
	full, _ := m.Marshal()
	canon, _ := m.Canonical()
	if !bytes.Contains(full, []byte(`"run": {`)) || bytes.Contains(canon, []byte(`"run"`)) || !bytes.Contains(canon, []byte(`"calls"`)) {
		t.Fatal("canonical form should drop exactly the run section")
	}
	parsed, err := ParseManifest(full)
	if err != nil {
		t.Fatal(err)
	}
	// Timings vary between runs: still the same.
	parsed.Run.Timings[0].WallMS += 1000
	parsed.Run.ModelPath = "/elsewhere/model.gguf"
	if same, diff, err := m.Compare(parsed); err != nil || !same {
		t.Fatalf("timings or path broke the comparison: %v %v", diff, err)
	}
	parsed.Calls[3].Output += "!"
	if same, diff, _ := m.Compare(parsed); same || strings.Join(diff, ",") != "calls" {
		t.Fatalf("changed output: same=%v diff=%v", same, diff)
	}
	if _, err := ParseManifest([]byte(`{"format":"plume-manifest/0"}`)); err == nil {
		t.Error("unknown format accepted")
	}
	if _, err := ParseManifest(make([]byte, MaxManifestBytes+1)); err == nil {
		t.Error("oversized manifest accepted")
	}
}

func TestHostileTitleEscaping(t *testing.T) {
	title := `Compost: "the" </script><script>alert(1)</script> & more`
	art, _ := runArticle(t, &fakegen.Generator{}, testOptions("Compost"))
	art.Metadata.Title = title
	art.State.Metadata.Title = title
	art.State.Parts[0].Text = "Model output with raw HTML: <script>alert(2)</script> <img src=x onerror=alert(3)>"
	again, err := Assemble(art.State, (&fakegen.Generator{}).Info(), "test")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.SplitN(string(again.Markdown), "---\n", 3)
	var fm FrontMatter
	if err := yaml.Unmarshal([]byte(parts[1]), &fm); err != nil || fm.Title != title {
		t.Fatalf("YAML title round trip: %q, %v", fm.Title, err)
	}
	h, err := again.HTML("test")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Count(h, []byte("</script>")) != 1 || bytes.Contains(h, []byte("<script>alert")) || bytes.Contains(h, []byte("onerror")) {
		t.Fatalf("title escaped badly:\n%s", h[:600])
	}
}
