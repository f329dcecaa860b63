package writer_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/plumewriter/plume/internal/library"
	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/sample"
	"github.com/plumewriter/plume/internal/writer"
	"github.com/plumewriter/plume/internal/writer/fakegen"
)

// ExampleRun writes one article into a directory and a library, as plume
// write and the server do: the generator is whatever Open returns (here a
// synthetic model), and the run is recorded so that it could be resumed by
// ID.
func ExampleRun() {
	dir, err := os.MkdirTemp("", "plume-example-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	opts := writer.RunOptions{
		Article: writer.Options{Topic: "Starting a compost heap", Words: 300, Seed: 1, Sampling: sample.DefaultParams(), Author: "Ada"},
		Out:     filepath.Join(dir, "out"),
		Format:  writer.FormatMarkdown,
		Backend: writer.Backend{Backend: writer.BackendLocal, Model: "synthetic"},
		Open: func(context.Context, writer.Backend) (llm.Generator, func(), error) {
			return &fakegen.Generator{}, func() {}, nil
		},
		OpenLibrary: func() (*library.Store, error) { return library.Open(filepath.Join(dir, library.FileName)) },
		Now:         func() time.Time { return time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC) },
		Version:     "example",
	}
	res, err := writer.Run(context.Background(), opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	saved, _ := os.ReadFile(res.Files[0])
	fmt.Println(res.ID, res.Status, res.Revision, len(res.Files))
	fmt.Println(string(saved) == string(res.Output))
	fmt.Println(strings.Contains(string(saved), "\nauthor: Ada\n"), strings.Contains(string(saved), "\ndraft: true\n"))
	// Output:
	// 1 done 1 2
	// true
	// true true
}
