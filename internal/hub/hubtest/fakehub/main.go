// Command fakehub serves files through hubtest's fake Hugging Face Hub, for
// manual tries and transcripts of plume pull without the network:
//
//	go run ./internal/hub/hubtest/fakehub -repo acme/Tiny-GGUF -file tiny-F32.gguf=../shared/fixtures/stories260K.gguf
//	HF_ENDPOINT=http://127.0.0.1:PORT plume pull hf.co/acme/Tiny-GGUF:F32
//
// It listens on loopback only and stops after -for (default 10 minutes).
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"strings"
	"time"

	"github.com/plumewriter/plume/internal/hub/hubtest"
)

// maxServe bounds how long the fake hub stays up if nobody stops it.
const maxServe = 10 * time.Minute

func main() {
	repo := flag.String("repo", "acme/Tiny-GGUF", "repository id")
	file := flag.String("file", "", "NAME=PATH of a file to serve (repeat with commas)")
	card := flag.String("license", "mit", "licence written into the README.md model card")
	dropAfter := flag.Int64("drop-after", 0, "drop the first download after this many bytes")
	rate := flag.Int64("rate", 0, "throttle downloads to this many bytes per second (0 = full speed)")
	dur := flag.Duration("for", maxServe, "how long to serve")
	flag.Parse()
	if *file == "" {
		log.Fatal("fakehub: -file NAME=PATH is required")
	}
	h := hubtest.New()
	defer h.Close()
	for spec := range strings.SplitSeq(*file, ",") {
		name, path, ok := strings.Cut(spec, "=")
		if !ok {
			log.Fatalf("fakehub: -file %q: want NAME=PATH", spec)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			log.Fatalf("fakehub: %v", err)
		}
		h.AddFile(*repo, name, data)
	}
	h.AddFile(*repo, "README.md", []byte("---\nlicense: "+*card+"\n---\n# test model\n"))
	f := hubtest.Faults{BytesPerSec: *rate}
	if *dropAfter > 0 {
		f.DropAfter, f.DropTimes = *dropAfter, 1
	}
	h.SetFaults(f)
	fmt.Printf("HF_ENDPOINT=%s\nCDN=%s\n", h.URL, h.CDNURL)
	time.Sleep(min(*dur, maxServe))
}
