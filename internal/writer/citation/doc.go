// Package citation checks the [n] citations of a drafted article against the
// passages they cite.
//
// Each cited sentence gets a verdict from the model, constrained by Schema
// (the local engine decodes under its grammar): "supported", "partly" or
// "not supported", with the span of the passage that supports it. The
// verdict is then combined with a lexical floor (MinOverlap, on stemmed
// content words from package retrieve): a small model's "supported" for a
// sentence that shares almost no words with the passage is overruled, and a
// "supported" without a span found in the passage is lowered to "partly".
// Unsupported citations are taken out of the sentence (Remove).
package citation
