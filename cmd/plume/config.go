package main

import (
	"context"
	"fmt"
	"io"
	"sync/atomic"

	"github.com/spf13/cobra"

	"github.com/plumewriter/plume/internal/config"
)

// loadedConfig is the environment as read once for a command, and whether
// its warnings (values it ignored) were printed.
type loadedConfig struct {
	conf   config.Config
	warned atomic.Bool
}

type configKey struct{}

// loadConfigOnce is the root's PersistentPreRunE: it reads the environment
// once for the whole command and keeps it in the command's context, where
// every verb takes it (configFrom).
func loadConfigOnce(cmd *cobra.Command, _ []string) error {
	cmd.SetContext(withConfig(cmd.Context(), config.Load()))
	return nil
}

// withConfig returns ctx carrying conf for configFrom.
func withConfig(ctx context.Context, conf config.Config) context.Context {
	if ctx == nil {
		ctx = context.Background()
	}
	return context.WithValue(ctx, configKey{}, &loadedConfig{conf: conf})
}

// configFrom returns the configuration loaded for this command, printing
// its warnings (the values it ignored, PLUME_THREADS=abc…, so that a typo is
// not silently dropped) to w the first time a caller gives a writer. A verb run
// without the root (its constructor alone, as tests do) reads the
// environment here.
func configFrom(ctx context.Context, w io.Writer) config.Config {
	lc, ok := ctx.Value(configKey{}).(*loadedConfig)
	if !ok {
		lc = &loadedConfig{conf: config.Load()}
	}
	if w != nil && lc.warned.CompareAndSwap(false, true) {
		for _, warn := range lc.conf.Warnings {
			fmt.Fprintln(w, "plume: warning:", warn)
		}
	}
	return lc.conf
}
