// Package quality measures a drafted article against Plume's writing rules:
// readability (Flesch reading ease for English, Kandel–Moles for French, each
// with its own syllable counter), sentence and paragraph length distributions,
// subheading spacing, repeated n-grams across sections, meta description
// length and keyword placement. Every failed rule names the sentence or the
// section concerned, so that the writer's revise pass and the user both know
// what to fix.
//
// The analysis is pure and deterministic: the same document always gives the
// same report, with no map iteration order leaking into the output.
package quality
