package writer

import (
	"math"
	"strings"

	"github.com/plumewriter/plume/internal/llm"
)

// SentenceConfidence is the mean probability of the tokens of one generated
// sentence: a cheap signal of where the model was unsure.
type SentenceConfidence struct {
	Part       int     `json:"part"`
	Sentence   string  `json:"sentence"`
	Tokens     int     `json:"tokens"`
	Confidence float64 `json:"confidence"` // mean exp(logprob), rounded to 4 decimals
}

// sentenceConfidence groups tokens into sentences (a sentence ends with a
// token whose text ends in ".", "!", "?", "…" or a newline) and averages the
// tokens' probabilities.
func sentenceConfidence(part int, toks []llm.Token) []SentenceConfidence {
	var out []SentenceConfidence
	var text strings.Builder
	sum, n := 0.0, 0
	flush := func() {
		s := strings.Join(strings.Fields(text.String()), " ")
		if s != "" && n > 0 {
			out = append(out, SentenceConfidence{Part: part, Sentence: s, Tokens: n,
				Confidence: math.Round(sum/float64(n)*1e4) / 1e4})
		}
		text.Reset()
		sum, n = 0, 0
	}
	for _, t := range toks {
		text.WriteString(t.Text)
		sum += math.Exp(float64(t.Logprob))
		n++
		trimmed := strings.TrimRight(t.Text, " \t")
		if strings.HasSuffix(trimmed, "\n") || strings.HasSuffix(trimmed, ".") || strings.HasSuffix(trimmed, "!") ||
			strings.HasSuffix(trimmed, "?") || strings.HasSuffix(trimmed, "…") {
			flush()
		}
	}
	flush()
	return out
}
