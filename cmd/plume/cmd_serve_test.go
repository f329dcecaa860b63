package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plumewriter/plume/internal/server"
	"github.com/plumewriter/plume/internal/testutil"
)

// lockedBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestServeFixture runs plume serve on the fixture model: it prints its
// address, /health turns 200, a chat completion works, and cancelling the
// command's context (SIGINT) stops it cleanly.
func TestServeFixture(t *testing.T) {
	model := testutil.Fixture(t, "stories260K.gguf")
	t.Setenv("PLUME_HOME", t.TempDir())
	t.Setenv("HF_HUB_OFFLINE", "1")
	var stderr lockedBuffer
	cmd := newServeCmd(defaultDeps())
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&stderr)
	cmd.SetArgs([]string{"--model", model, "--host", "127.0.0.1:0", "--threads", "1", "--ctx", "256", "--parallel", "2"})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx) }()
	addr := regexp.MustCompile(`serving on (http://\S+)`)
	var url string
	deadline := time.Now().Add(30 * time.Second)
	for url == "" || !healthy(url) {
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("no healthy server; stderr:\n%s (cmd: %v)", stderr.String(), <-done)
		}
		if m := addr.FindStringSubmatch(stderr.String()); m != nil {
			url = m[1]
		}
		time.Sleep(20 * time.Millisecond)
	}
	resp, err := http.Post(url+"/v1/chat/completions", "application/json", strings.NewReader(
		`{"model":"stories260K.gguf","messages":[{"role":"user","content":"Once upon a time"}],"max_tokens":8,"temperature":0}`))
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Model   string
		Choices []struct{ Message struct{ Content string } }
	}
	err = json.NewDecoder(resp.Body).Decode(&c)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || len(c.Choices) != 1 || c.Choices[0].Message.Content == "" || c.Model != "stories260K.gguf" {
		t.Errorf("chat: %d %+v %v", resp.StatusCode, c, err)
	}
	http.DefaultClient.CloseIdleConnections()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve after SIGINT: %v", err)
		}
	case <-time.After(server.ShutdownGrace + 5*time.Second):
		t.Fatal("serve did not stop")
	}
}

func healthy(url string) bool {
	resp, err := http.Get(url + "/health")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// TestServeRefusesInsecure: a non-loopback address without a key is a
// usage error before any port is opened or model loaded.
func TestServeRefusesInsecure(t *testing.T) {
	t.Setenv("PLUME_TEST_EMPTY_KEY", "")
	for _, args := range [][]string{
		{"--host", "0.0.0.0:0"},
		{"--host", "[::]:0"},
		{"--host", "192.168.1.10:8080"},
		{"--api-key-env", "PLUME_TEST_EMPTY_KEY"},
		{"--cors", "*"},
		{"--parallel", "0"},
		{"--queue", "-1"},
	} {
		loaded := false
		d := defaultDeps()
		d.openServeModel = func(context.Context, backendConfig, io.Writer) (server.Model, error) {
			loaded = true
			return nil, errors.New("not in this test")
		}
		cmd := newServeCmd(d)
		cmd.SetOut(&bytes.Buffer{})
		cmd.SetErr(&bytes.Buffer{})
		cmd.SetArgs(args)
		err := cmd.ExecuteContext(context.Background())
		var ue usageError
		if !errors.As(err, &ue) || loaded {
			t.Errorf("%v: %v (loaded %v), want a usage error before loading", args, err, loaded)
		}
	}
}
