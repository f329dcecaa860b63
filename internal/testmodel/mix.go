package testmodel

import "github.com/plumewriter/plume/internal/tensor"

// Mix names a llama.cpp quantization recipe: the type of each weight matrix
// follows from its role and layer, as llama_tensor_get_type picks it.
type Mix string

const (
	// MixUniform gives every weight matrix the Spec's Type.
	MixUniform Mix = ""
	// MixQ4KM is llama.cpp's Q4_K_M: Q4_K, with Q6_K for the output head
	// (or the tied embedding) and for attn_v and ffn_down in the
	// use_more_bits layers. Its Spec's Type is Q4_K.
	MixQ4KM Mix = "Q4_K_M"
)

// Matrix roles whose type a Mix may change.
const (
	roleEmbd      = "token_embd"
	roleEmbdTied  = "token_embd_tied" // token_embd.weight that is also the output head
	roleOutput    = "output"
	roleAttnV     = "attn_v"
	roleFFNDown   = "ffn_down"
	roleOtherProj = "" // any other projection of a layer
)

// matrixType returns the type of a weight matrix of role in layer with
// rows of cols elements.
func (s Spec) matrixType(role string, layer, cols int) tensor.Type {
	if s.Mix != MixQ4KM {
		return s.Type
	}
	t := tensor.Q4_K
	switch role {
	case roleOutput, roleEmbdTied:
		t = tensor.Q6_K
	case roleAttnV, roleFFNDown:
		if moreBits(layer, s.Layers) {
			t = tensor.Q6_K
		}
	}
	return kQuantFallback(t, cols)
}

// moreBits is llama.cpp's use_more_bits: the layers whose attn_v and
// ffn_down get Q6_K in a Q4_K_M file.
func moreBits(layer, layers int) bool {
	return layer < layers/8 || layer >= 7*layers/8 || (layer-layers/8)%3 == 2
}

// kQuantFallback is llama.cpp's rule for rows whose length is not a
// multiple of the K-quant super-block (256): Q4_K becomes Q5_0 and Q6_K
// becomes Q8_0.
func kQuantFallback(t tensor.Type, cols int) tensor.Type {
	if cols%tensor.QK_K == 0 {
		return t
	}
	switch t {
	case tensor.Q4_K:
		return tensor.Q5_0
	case tensor.Q6_K:
		return tensor.Q8_0
	}
	return t
}
