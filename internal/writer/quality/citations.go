package quality

// Citations is the citation part of the report of a grounded article.
type Citations struct {
	// Sentences counts the sentences of the article body; Cited those
	// that keep at least one citation; Share is Cited / Sentences.
	Sentences int     `json:"sentences"`
	Cited     int     `json:"cited_sentences"`
	Share     float64 `json:"citation_share"`
	// Checked counts the citations checked, by final verdict.
	Checked      int `json:"checked"`
	Supported    int `json:"supported"`
	Partly       int `json:"partly"`
	Unsupported  int `json:"unsupported_removed"`
	Rewritten    int `json:"rewritten,omitempty"`
	SourcesGiven int `json:"sources"`
	// Unused names the sources no kept citation points to.
	Unused []string `json:"sources_never_used"`
	// Removed lists the unsupported citations taken out of the text.
	Removed []RemovedCitation `json:"removed"`
}

// RemovedCitation is one citation the check took out.
type RemovedCitation struct {
	Sentence string `json:"sentence"`
	Passage  int    `json:"passage"`
	Reason   string `json:"reason"`
}
