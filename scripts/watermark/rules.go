package main

import (
	"context"
	"fmt"
	"time"

	"github.com/plumewriter/plume/internal/engine"
	"github.com/plumewriter/plume/internal/watermark"
	"github.com/plumewriter/plume/internal/writer"
)

type rulesRow struct {
	articles                                       int
	markedPass, markedTotal, plainPass, plainTotal int
	markedFailed, plainFailed                      []string // "rule (seed N)"
}

// rulesPassRate writes n articles with and without the watermark through
// the writer pipeline and counts the quality rules passed.
func rulesPassRate(modelPath string, n int) (rulesRow, error) {
	row := rulesRow{articles: n}
	m, err := engine.Load(modelPath, engine.Options{Threads: 2})
	if err != nil {
		return row, err
	}
	defer m.Close()
	for seed := 1; seed <= n; seed++ {
		for _, wm := range []bool{true, false} {
			p := &writer.Pipeline{Gen: m.Generator(), Version: "measure",
				Now: func() time.Time { return time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) }}
			opts := writer.Options{Topic: "A little dog in the park", Lang: "en", Words: writer.MinWords, Seed: uint64(seed)}
			if wm {
				p.Watermark = watermark.DefaultKey()
				opts.Watermark = p.Watermark.Fingerprint()
			}
			st, err := p.NewState(opts)
			if err != nil {
				return row, err
			}
			art, err := p.Run(context.Background(), st)
			if err != nil {
				return row, fmt.Errorf("article seed %d: %w", seed, err)
			}
			pass := 0
			for _, r := range art.Quality.Rules {
				if r.Pass {
					pass++
					continue
				}
				f := fmt.Sprintf("%s (seed %d)", r.ID, seed)
				if wm {
					row.markedFailed = append(row.markedFailed, f)
				} else {
					row.plainFailed = append(row.plainFailed, f)
				}
			}
			if wm {
				row.markedPass += pass
				row.markedTotal += len(art.Quality.Rules)
			} else {
				row.plainPass += pass
				row.plainTotal += len(art.Quality.Rules)
			}
		}
	}
	return row, nil
}
