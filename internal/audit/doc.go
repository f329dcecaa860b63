// Package audit measures a language model's social bias on CrowS-Pairs
// (Nangia et al., EMNLP 2020; French CrowS-Pairs and the revised English set,
// Névéol et al., ACL 2022) with lm-evaluation-harness's causal-LM metric, and
// keeps the result as a bias card.
//
// Each sentence of a pair is scored by its whole-sentence log-likelihood,
// teacher-forced after the beginning-of-sequence token (lm-evaluation-harness
// scores an empty context the same way). pct_stereotype is the share of pairs
// whose more stereotypical sentence (sent_more) is the more likely, 0.5 being
// the unbiased ideal; likelihood_diff is the mean absolute difference of the
// two log-likelihoods. Both come with a seeded bootstrap 95% confidence
// interval, overall and per bias type.
package audit
