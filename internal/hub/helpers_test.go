package hub

import (
	"bytes"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/plumewriter/plume/internal/config"
	"github.com/plumewriter/plume/internal/hub/hubtest"
)

const testRepo = "acme/Tiny-GGUF"

// testData is deterministic pseudo-random content of n bytes.
func testData(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// newTestStore returns a store on a temp cache talking to a fresh fake hub,
// with timeouts and backoff shrunk so fault tests finish quickly.
func newTestStore(t *testing.T) (*Cache, *hubtest.Hub) {
	t.Helper()
	h := hubtest.New()
	t.Cleanup(h.Close)
	s := openTestStore(t, h, t.TempDir())
	return s, h
}

func openTestStore(t *testing.T, h *hubtest.Hub, dir string) *Cache {
	t.Helper()
	cfg := config.Config{HubCache: dir + "/hub", DataDir: dir + "/data"}
	if h != nil {
		cfg.Endpoint = h.URL
	}
	s, err := OpenCache(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	s.net = netConfig{headerTimeout: 2 * time.Second, idleTimeout: 500 * time.Millisecond, metaTimeout: 5 * time.Second,
		maxRetries: 3, backoffBase: 5 * time.Millisecond, backoffMax: 20 * time.Millisecond}
	return s
}

// eventLog collects events safely.
type eventLog struct {
	mu sync.Mutex
	ev []Event
}

func (l *eventLog) add(e Event) { l.mu.Lock(); l.ev = append(l.ev, e); l.mu.Unlock() }

func (l *eventLog) count(typ string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, e := range l.ev {
		if e.Type == typ {
			n++
		}
	}
	return n
}

// cdnRanges lists the Range headers the CDN saw.
func cdnRanges(h *hubtest.Hub) []string {
	var out []string
	for _, r := range h.Requests() {
		if r.Server == "cdn" {
			out = append(out, r.Range)
		}
	}
	return out
}

func equalFile(t *testing.T, path string, want []byte) {
	t.Helper()
	got, err := readFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: content differs (got %d bytes, want %d)", path, len(got), len(want))
	}
}
