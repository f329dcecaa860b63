package engine

import (
	"context"
	"testing"

	"github.com/plumewriter/plume/internal/tensor"
	"github.com/plumewriter/plume/internal/testmodel"
)

// BenchmarkPrefill measures a 64-token batched prompt on the Q4_K golden
// model (dim 256, 4 layers).
func BenchmarkPrefill(b *testing.B) {
	spec := testmodel.Base("llama", tensor.Q4_K)
	m := loadModel(b, synthPath(b, spec), Options{Threads: 2})
	s, _ := m.NewSession()
	ids := spec.PromptIDs(64)
	b.ResetTimer()
	for range b.N {
		s.Reset()
		if _, err := s.Eval(context.Background(), ids); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(ids))/b.Elapsed().Seconds(), "tok/s")
}

// decodeWindow bounds the context during BenchmarkDecode, like llama-bench's
// tg64 (attention cost grows with the context).
const decodeWindow = 72

// BenchmarkDecode measures single-token decode steps with at most
// decodeWindow cached tokens.
func BenchmarkDecode(b *testing.B) {
	spec := testmodel.Base("llama", tensor.Q4_K)
	m := loadModel(b, synthPath(b, spec), Options{Threads: 2})
	s, _ := m.NewSession()
	if _, err := s.Eval(context.Background(), spec.PromptIDs(8)); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := range b.N {
		if s.Len() >= decodeWindow {
			s.Reset()
		}
		if _, err := s.Eval(context.Background(), []int32{int32(300 + i%500)}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tok/s")
}
