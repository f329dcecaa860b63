package kernels

import (
	"fmt"

	"github.com/plumewriter/plume/internal/tensor"
)

// MatMulMulti computes MatMul(p, ws[k], x, n, outs[k]) for every k, for
// matrices that multiply the same activations (Q/K/V projections, FFN gate
// and up). When all matrices share Cols and VecDotType, x is quantized once
// and the rows of all matrices are split over the threads as one job, which
// saves a quantization and a pool hand-off per extra matrix and keeps both
// threads busy on small matrices. Every output is bitwise what MatMul gives.
func MatMulMulti(p *Pool, ws []Matrix, x []float32, n int, outs [][]float32) error {
	if len(ws) != len(outs) {
		return fmt.Errorf("matmul: %w: %d matrices, %d outputs", ErrShape, len(ws), len(outs))
	}
	ws = currentAll(ws, n > 1)
	if !fusable(ws) {
		for k := range ws {
			if err := MatMul(p, ws[k], x, n, outs[k]); err != nil {
				return err
			}
		}
		return nil
	}
	rows := 0
	for k, w := range ws {
		if err := checkMatMul(w, x, n, outs[k]); err != nil {
			return err
		}
		rows += w.Rows
	}
	if n == 0 || rows == 0 {
		return nil
	}
	if p != nil {
		p.mu.Lock()
		defer p.mu.Unlock()
	}
	vt := VecDotType(ws[0].Type)
	xrow, _ := tensor.RowSize(vt, uint64(ws[0].Cols))
	xq, err := quantizeActivations(p, vt, x, n, ws[0].Cols, int(xrow))
	if err != nil {
		return fmt.Errorf("matmul: %w", err)
	}
	a := prepareBatch(p, ws, vt, xq, int(xrow), n, ws[0].Cols)
	works := make([]func(lo, hi int), len(ws))
	for k, w := range ws {
		works[k] = matmulWork(w, a, n, outs[k])
	}
	// Row r of the job is row r - off of the matrix whose range holds it.
	job := func(lo, hi int) {
		off := 0
		for k, w := range ws {
			a, b := max(lo, off), min(hi, off+w.Rows)
			if a < b {
				works[k](a-off, b-off)
			}
			off += w.Rows
		}
	}
	runMatMul(p, rows, ws[0].Cols, n, a.align(), job)
	return nil
}

// fusable reports whether the matrices can share one quantization of their
// activations: at least two, same Cols and same activation type.
func fusable(ws []Matrix) bool {
	if len(ws) < 2 {
		return false
	}
	for _, w := range ws[1:] {
		if w.Cols != ws[0].Cols || !Supported(w.Type) || !Supported(ws[0].Type) ||
			VecDotType(w.Type) != VecDotType(ws[0].Type) {
			return false
		}
	}
	return true
}
