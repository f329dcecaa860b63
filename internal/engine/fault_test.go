//go:build unix

package engine

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/plumewriter/plume/internal/tensor"
	"github.com/plumewriter/plume/internal/testmodel"
)

// TestTruncatedModelDuringRun is issue 13 item 1: truncating the mapped
// model file in the middle of a generation turns the memory fault (SIGBUS)
// into ErrModelChanged, with one thread and with a worker pool, and the
// process lives on. (kernels.TestPoolWorkerFaultReachesCaller covers a
// fault that only a pool worker hits.)
func TestTruncatedModelDuringRun(t *testing.T) {
	for _, threads := range []int{1, 2, 4} {
		t.Run(map[int]string{1: "1 thread", 2: "2 threads", 4: "4 threads"}[threads], func(t *testing.T) {
			path := synthPath(t, testmodel.Base("llama", tensor.Q8_0))
			// Mapped: under the default hybrid layout every tensor of
			// this small model is copied (its matrices in the background,
			// its vectors at load, see smallCopied), and once the copy is
			// done the file's truncation is no fault at all.
			m := loadModel(t, path, Options{Threads: threads, Weights: WeightsMapped})
			sess, err := m.NewSession()
			if err != nil {
				t.Fatal(err)
			}
			generated := 0
			_, err = sess.Generate(context.Background(), []int32{1, 2, 3}, GenerateOptions{MaxTokens: 64}, func(TokenOut) error {
				generated++
				if generated == 3 {
					// What `truncate -s 1000000 m.gguf` does from another
					// shell; the weights start after the header, so every
					// tensor page now lies past the end of the file.
					if err := os.Truncate(path, 4096); err != nil {
						t.Fatal(err)
					}
				}
				return nil
			})
			if !errors.Is(err, ErrModelChanged) {
				t.Fatalf("err = %v (after %d tokens), want ErrModelChanged", err, generated)
			}
			if !strings.Contains(err.Error(), path) || strings.Count(err.Error(), path) != 1 {
				t.Errorf("error should name the file once: %v", err)
			}
			if generated != 3 {
				t.Errorf("generated %d tokens, want the fault on the 4th", generated)
			}
			// The model is still usable as an object: a new request fails the
			// same way instead of crashing.
			if _, err := sess.Eval(context.Background(), []int32{4}); !errors.Is(err, ErrModelChanged) {
				t.Errorf("second Eval: %v", err)
			}
		})
	}
}
