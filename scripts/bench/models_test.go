package main

import (
	"testing"

	"github.com/plumewriter/plume/internal/testmodel"
)

// TestBenchSpecs checks that every shape of the speed and article benchmarks
// is a valid testmodel spec in both mixes, under the file name the cached
// models have (synth-LABEL-MIX.gguf). Layers and vocabulary are cut so the
// test builds in well under a second; the widths, heads and types are the
// real ones.
func TestBenchSpecs(t *testing.T) {
	all := append(append([]testmodel.Spec{}, shapes...), articleShapes...)
	for _, shape := range all {
		for _, m := range []mix{mixQ8_0, mixQ4_K_M} {
			s := benchSpec(shape, m)
			t.Run(s.Name(), func(t *testing.T) {
				if want := "synth-" + shape.Label + "-" + string(m); s.Name() != want {
					t.Errorf("name %q, want %q", s.Name(), want)
				}
				s.Layers, s.Vocab = 1, 1000
				if _, err := testmodel.Build(s); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}
