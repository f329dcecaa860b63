package kernels

import "encoding/binary"

// Weights of some formats are expanded to Q8_0 blocks for batched products
// (prompt evaluation): a Q5_0 block holds 32 integers in [-16, 15] under one
// fp16 scale, which a Q8_0 block represents exactly, with the same scale.
// The Q8_0 kernels then compute the same integer lane sums and the same
// fused multiply-adds as the Q5_0 kernels — bit-identical results — while the
// unpacking is done once per weight row instead of once per activation row.

// expandMinRows is the batch size from which MatMul expands weight tiles:
// below it the unpacking would not be amortized.
const expandMinRows = 4

// expandFunc converts one row of n elements to Q8_0 blocks in dst
// (RowSize(Q8_0, n) bytes).
type expandFunc func(n int, src, dst []byte)

// expandQ5_0 writes the Q8_0 form of a Q5_0 row: d copied, quants
// ((nibble | high bit << 4) - 16).
func expandQ5_0(n int, src, dst []byte) {
	for ib := 0; ib < n/32; ib++ {
		s := src[ib*q5_0Bytes : (ib+1)*q5_0Bytes]
		d := dst[ib*q8_0Bytes : (ib+1)*q8_0Bytes]
		d[0], d[1] = s[0], s[1]
		qh := binary.LittleEndian.Uint32(s[2:6])
		qs, q := (*[16]byte)(s[6:22]), (*[32]byte)(d[2:34])
		for j := range 16 {
			q[j] = byte(int8(int32(qs[j]&0xf|byte(qh>>uint(j)&1)<<4) - 16))
			q[j+16] = byte(int8(int32(qs[j]>>4|byte(qh>>uint(j+16)&1)<<4) - 16))
		}
	}
}
