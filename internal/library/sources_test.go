package library

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/plumewriter/plume/internal/sources"
)

func TestSourcesRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lib.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, ok, err := s.LookupSource(ctx, "https://example.org/a"); ok || err != nil {
		t.Fatalf("empty library: ok %v err %v", ok, err)
	}
	want := &sources.Source{Origin: "https://example.org/a", URL: "https://example.org/b", Kind: sources.KindHTML,
		Title: "Compost", Author: "Jane", Charset: "utf-8", Retrieved: time.Date(2026, 12, 5, 12, 0, 0, 5, time.UTC),
		SHA256: "ab", Text: "# Compost\n\nMix green and brown."}
	if err := s.PutSource(ctx, want); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(path) // a new process reads what the first stored
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, ok, err := s.LookupSource(ctx, want.Origin)
	if err != nil || !ok {
		t.Fatalf("ok %v err %v", ok, err)
	}
	if *got != *want {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}
