package tensor_test

import (
	"fmt"

	"github.com/plumewriter/plume/internal/tensor"
)

// Quantize one 32-value block to Q8_0 and read it back.
func ExampleQuantize() {
	x := make([]float32, 32)
	for i := range x {
		x[i] = float32(i) - 16 // -16 … 15: amax 16, so d = fp16(16/127) ≈ 0.12598
	}
	q := make([]byte, 34) // tensor.RowSize(tensor.Q8_0, 32)
	if err := tensor.Quantize(tensor.Q8_0, x, q); err != nil {
		panic(err)
	}
	y := make([]float32, 32)
	if err := tensor.Dequantize(tensor.Q8_0, q, y); err != nil {
		panic(err)
	}
	fmt.Printf("q[0]=%d y[0]=%.4f y[17]=%.4f\n", int8(q[2]), y[0], y[17])
	// Output: q[0]=-127 y[0]=-15.9990 y[17]=1.0078
}

func ExampleF32ToF16() {
	fmt.Printf("%#04x %#04x %v\n", tensor.F32ToF16(1), tensor.F32ToF16(65520), tensor.F16ToF32(0x3555))
	// Output: 0x3c00 0x7c00 0.33325195
}
