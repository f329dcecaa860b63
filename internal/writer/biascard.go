package writer

// BiasCardLink points a manifest at a bias card of its model (plume audit
// bias), stored in the library under the model's sha256.
type BiasCardLink struct {
	Dataset        string  `json:"dataset"`
	DatasetSHA256  string  `json:"dataset_sha256"`
	PctStereotype  float64 `json:"pct_stereotype"`
	LikelihoodDiff float64 `json:"likelihood_diff"`
	// Card is the card's path inside the library directory
	// (bias/MODEL_SHA256/NAME.json).
	Card string `json:"card"`
}
