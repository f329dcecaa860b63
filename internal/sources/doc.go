// Package sources loads the author's own material for a grounded article:
// Markdown, plain text, HTML (main content only, through a readability
// extractor), PDF (text layer) and HTTP(S) URLs.
//
// Every source becomes a Source: its origin, final URL or file name, title,
// retrieval time, the SHA-256 of the raw bytes and the extracted UTF-8 text,
// with headings kept as Markdown "#" lines and paragraphs separated by blank
// lines so that retrieval can split it into passages. Source text is data:
// it is never rendered as HTML, and scripts, styles, iframes and other
// active content are dropped at extraction.
//
// URLs are fetched once, through Fetcher: timeouts, a size cap, a
// content-type check, capped redirects, no credentials, and no connection
// to a loopback, private, link-local or otherwise non-public address (the
// check runs on the resolved address at dial time, so DNS rebinding and
// redirects cannot get around it). A fetched URL is kept in a Cache (the
// article library) so that a replay never needs the network; with Offline
// set, a URL missing from the cache is refused.
//
// Bad input (unreachable, 404, too large, binary, not UTF-8 after charset
// detection, a PDF without text) is an error wrapping one of the Err values,
// tested with errors.Is.
package sources
