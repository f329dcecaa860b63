package library

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
)

func TestRemoveDeletesChildren(t *testing.T) {
	ctx := context.Background()
	s, err := Open(filepath.Join(t.TempDir(), FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	keep, _ := s.Create(ctx, "keep", "en", []byte(`{}`))
	id, err := s.Create(ctx, "topic", "en", []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Checkpoint(ctx, id, "t", []byte(`{}`), []Section{{Index: 0, Heading: "h", Body: "b"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddRevision(ctx, id, Revision{Title: "t", Markdown: "m", Manifest: "{}"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, id); !errors.Is(err, ErrNotFound) {
		t.Errorf("get after delete: %v", err)
	}
	var rows int
	for _, table := range []string{"sections", "revisions"} {
		if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table+` WHERE article_id = ?`, id).Scan(&rows); err != nil || rows != 0 {
			t.Errorf("%s left: %d (%v)", table, rows, err)
		}
	}
	if err := s.Remove(ctx, id); !errors.Is(err, ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
	if _, err := s.Get(ctx, keep); err != nil {
		t.Errorf("the other article: %v", err)
	}
}
