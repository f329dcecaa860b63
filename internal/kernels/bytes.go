package kernels

import "unsafe"

// f32view reinterprets little-endian float32 data in place (no copy). Plume
// only targets little-endian CPUs; ggml blocks are little-endian on disk.
// Float32 has no pointers, so the view is valid at any byte alignment.
func f32view(b []byte) []float32 {
	if len(b) < 4 {
		return nil
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(&b[0])), len(b)/4)
}

// u16view reinterprets little-endian 16-bit data (F16/BF16 rows) in place.
func u16view(b []byte) []uint16 {
	if len(b) < 2 {
		return nil
	}
	return unsafe.Slice((*uint16)(unsafe.Pointer(&b[0])), len(b)/2)
}

// f32bytes is the inverse of f32view: the bytes of a float32 slice.
func f32bytes(f []float32) []byte {
	if len(f) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&f[0])), len(f)*4)
}
