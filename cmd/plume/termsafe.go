package main

import (
	"io"

	"github.com/plumewriter/plume/internal/termsafe"
)

// terminalSafe returns w itself when it is a file or a pipe, and an
// escaping writer when it is a terminal, so that control sequences in
// untrusted text (model output, an article from the library) are shown as
// \x1b… instead of being obeyed (issue 13 item 5). Redirected output stays
// byte for byte what the model wrote. The escaping writer holds back only
// an incomplete UTF-8 sequence, until the next write completes it.
func terminalSafe(w io.Writer) io.Writer {
	if isTerminal(w) {
		return termsafe.NewWriter(w)
	}
	return w
}
