package sources

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/ledongthuc/pdf"
)

// MaxPDFPages caps the pages read from one PDF: a source is a document an
// author cites, and 500 pages is a long book; past that the text would not
// fit any context and extraction time grows with every page.
const MaxPDFPages = 500

// pdfText extracts the text layer of a PDF, one paragraph per text row
// group, pages separated by blank lines. A PDF of scanned images has no
// text layer and gives ErrNoText.
func pdfText(raw []byte) (text string, err error) {
	defer func() {
		// The PDF reader panics on some malformed files; a bad source
		// is an error, never a crash.
		if r := recover(); r != nil {
			text, err = "", fmt.Errorf("%w: malformed PDF: %v", ErrNoText, r)
		}
	}()
	if !bytes.HasPrefix(bytes.TrimLeft(raw, " \t\r\n"), []byte("%PDF-")) {
		return "", fmt.Errorf("%w: not a PDF file (no %%PDF- header)", ErrUnsupported)
	}
	r, err := pdf.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		return "", fmt.Errorf("%w: PDF: %v", ErrNoText, err)
	}
	n := r.NumPage()
	if n > MaxPDFPages {
		return "", fmt.Errorf("%w: %d pages (at most %d)", ErrTooLarge, n, MaxPDFPages)
	}
	var b strings.Builder
	for i := 1; i <= n; i++ {
		p := r.Page(i)
		if p.V.IsNull() {
			continue
		}
		rows, err := p.GetTextByRow()
		if err != nil {
			return "", fmt.Errorf("%w: PDF page %d: %v", ErrNoText, i, err)
		}
		for _, row := range rows {
			var line strings.Builder
			for _, w := range row.Content {
				line.WriteString(w.S)
			}
			b.WriteString(strings.TrimSpace(line.String()))
			b.WriteByte('\n')
		}
		b.WriteString("\n")
	}
	text = normalize(b.String())
	if strings.TrimSpace(text) == "" {
		return "", fmt.Errorf("%w: the PDF has no text layer (scanned images?)", ErrNoText)
	}
	return text, nil
}
