package writer

import (
	"bytes"
	"testing"

	"github.com/plumewriter/plume/internal/writer/fakegen"
)

// TestArticleFilesHaveNoControls is the article-file half of issue 13 item
// 5: a model that writes NUL, ESC sequences or carriage returns into a
// title, a tag or a section gets them removed from the Markdown and the
// HTML, while tab and newline survive.
func TestArticleFilesHaveNoControls(t *testing.T) {
	art, _ := runArticle(t, &fakegen.Generator{}, testOptions("Compost"))
	art.State.Metadata.Title = "Compost\x00 \x1b]0;owned\x07titre"
	art.State.Metadata.Tags = []string{"jar\x1b[31mdin"}
	art.State.Parts[0].Text = "Ligne\tun\r\nligne deux\x1b[2J\x08 fin."
	again, err := Assemble(art.State, (&fakegen.Generator{}).Info(), "test")
	if err != nil {
		t.Fatal(err)
	}
	h, err := again.HTML("test")
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"markdown": again.Markdown, "html": h} {
		for _, c := range b {
			if c < 0x20 && c != '\t' && c != '\n' || c == 0x7f {
				t.Fatalf("%s holds control byte %#x:\n%q", name, c, b)
			}
		}
	}
	if again.Metadata.Title != "Compost ]0;ownedtitre" || again.Metadata.Tags[0] != "jar[31mdin" {
		t.Fatalf("metadata = %+v", again.Metadata)
	}
	if !bytes.Contains(again.Markdown, []byte("Ligne\tun\nligne deux[2J fin.")) {
		t.Fatalf("body lost its tab or newline:\n%s", again.Markdown)
	}
}
