// Package watermark embeds and detects Plume's statistical text watermark.
//
// The scheme is the "green list" watermark of Kirchenbauer et al. (2023, "A
// Watermark for Large Language Models", ICML): at every decoding step a keyed
// hash of the previous token splits the vocabulary into a green fraction
// Gamma and a red rest, and the sampler adds Delta to the logits of green
// tokens. Text written that way holds more green tokens than chance; the
// detector needs only the key and the tokenizer (not the model) and reports a
// one-sided z-test against the null hypothesis "each token is green with
// probability Gamma".
//
// Why this scheme and not SynthID-Text's tournament sampling (Dathathri et
// al., Nature 2024): the green list is one additive logit bias placed in
// front of Plume's existing, deterministic sampler chain (so replay stays
// byte-identical under the seed on any thread count), and its detection
// statistic has a closed-form null distribution, so the false-positive rate
// of a verdict is a stated number rather than a calibrated one. Tournament
// sampling distorts the distribution less, but it replaces the sampler (it
// draws 2^m candidates per step), and its Bayesian scorer must be trained per
// model and key. docs/WATERMARK.md measures what this choice costs.
//
// The hash is keyed 64-bit mixing (SplitMix64 finalizers), not a
// cryptographic PRF: a private key keeps casual readers from checking an
// article, but like every green-list scheme the list can be estimated from
// enough watermarked text by someone who wants to forge or scrub it.
package watermark
