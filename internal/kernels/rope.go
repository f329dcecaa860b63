package kernels

// RoPECache fills cs (len = number of rotated dimensions, even) with the
// cos/sin pairs of position pos, like ggml_rope_cache_init without YaRN
// (ext_factor 0, attn_factor 1), with glibc's powf, cosf and sinf so that
// the values are llama.cpp's bit for bit: theta_scale = powf(freqBase, -2/nDims),
// theta starts at float32(pos) and is multiplied by theta_scale (in float32)
// for each pair; pair k uses theta/freqFactors[k] (when freqFactors is not
// nil, e.g. Llama 3's rope_freqs) times freqScale. It is Plume's one rope
// cache: internal/model's forward pass calls it for every position.
func RoPECache(cs []float32, pos int, freqBase, freqScale float32, freqFactors []float32) {
	nDims := len(cs)
	mustLen("RoPECache", 0, nDims%2)
	if freqFactors != nil {
		mustLen("RoPECache freqFactors", nDims/2, len(freqFactors))
	}
	thetaScale := powf(freqBase, -2/float32(nDims))
	theta := float32(pos)
	for i := 0; i < nDims; i += 2 {
		t := theta
		if freqFactors != nil {
			t = theta / freqFactors[i/2]
		}
		t = freqScale * t
		cs[i] = cosf(t)
		cs[i+1] = sinf(t)
		theta *= thetaScale
	}
}

// RoPE rotates the first len(cs) dimensions of one head x in place with the
// cos/sin pairs from RoPECache. Normal mode (llama) rotates adjacent pairs
// (x[2k], x[2k+1]); neox mode (qwen2, …) rotates (x[k], x[k+nDims/2]).
// Dimensions past len(cs) are left unchanged.
func RoPE(x, cs []float32, neox bool) {
	nDims := len(cs)
	if len(x) < nDims {
		mustLen("RoPE", nDims, len(x))
	}
	mustLen("RoPE cs", 0, nDims%2)
	for k := active.ropePairs(x, cs, neox); k < nDims/2; k++ {
		c, s := cs[2*k], cs[2*k+1]
		a, b := 2*k, 2*k+1
		if neox {
			a, b = k, k+nDims/2
		}
		// llama.cpp's haswell build contracts x0*c - x1*s into
		// fma(x0, c, -(x1*s)) (and likewise the sum); so do we.
		x0, x1 := x[a], x[b]
		x[a] = fmaf(x0, c, -(x1 * s))
		x[b] = fmaf(x0, s, x1*c)
	}
}
