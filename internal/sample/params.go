package sample

// Params are the sampling settings of one generation. The zero value is not
// useful: start from DefaultParams. Temperature 0 means greedy decoding.
type Params struct {
	Temperature      float32 `json:"temperature"`
	TopK             int     `json:"top_k"`             // 0 = disabled
	TopP             float32 `json:"top_p"`             // 1 = disabled
	MinP             float32 `json:"min_p"`             // 0 = disabled
	RepeatPenalty    float32 `json:"repeat_penalty"`    // 1 = disabled
	RepeatLastN      int     `json:"repeat_last_n"`     // window for the three penalties; -1 = whole history
	PresencePenalty  float32 `json:"presence_penalty"`  // 0 = disabled
	FrequencyPenalty float32 `json:"frequency_penalty"` // 0 = disabled
	Seed             uint64  `json:"seed"`
}

// DefaultParams are llama.cpp's defaults, so that Plume and llama.cpp sample
// the same way out of the box.
func DefaultParams() Params {
	return Params{
		Temperature:   0.8,
		TopK:          40,
		TopP:          0.95,
		MinP:          0.05,
		RepeatPenalty: 1.0,
		RepeatLastN:   64,
		Seed:          0,
	}
}
