// Package termsafe makes untrusted text safe to show on a terminal or to
// store in an article file.
//
// Text that Plume did not write itself (GGUF metadata such as general.name,
// model cards, chat-template raise_exception messages, hub error bodies,
// model output) can carry terminal control sequences: an ESC starting a CSI
// (ESC [ … m, which recolours or moves the cursor) or an OSC (ESC ] … BEL,
// which sets the window title or writes a hyperlink, and on some terminals the
// clipboard), or any other C0/C1 control. String escapes every such control
// into visible text (\x1b, \u009b) before it reaches a terminal; Article
// removes NUL and the C0 controls other than tab and newline from text
// saved in an article file, where an escape sequence would be corrupt.
//
// Every CLI path that prints untrusted text goes through String, Line or
// Writer, so each lane uses the same rule.
package termsafe
