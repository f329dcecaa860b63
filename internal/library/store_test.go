package library

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func openTest(t *testing.T) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sub", FileName)
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s.Now = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }
	t.Cleanup(func() { s.Close() })
	return s, path
}

func TestLifecycle(t *testing.T) {
	ctx := context.Background()
	s, path := openTest(t)
	id, err := s.Create(ctx, "Compost", "en", []byte(`{"step":0}`))
	if err != nil {
		t.Fatal(err)
	}
	lk, err := s.LockArticle(id) // a live writer: the status reads running
	if err != nil {
		t.Fatal(err)
	}
	defer lk.Unlock()
	secs := []Section{{Index: 0, Level: 0, Body: "Intro."}, {Index: 1, Level: 2, Heading: "H", Body: "Body."}}
	if err := s.Checkpoint(ctx, id, "Title", []byte(`{"step":2}`), secs); err != nil {
		t.Fatal(err)
	}
	a, err := s.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != StatusRunning || string(a.State) != `{"step":2}` || len(a.Sections) != 2 || a.Sections[1].Heading != "H" || a.Title != "Title" {
		t.Fatalf("after checkpoint: %+v", a)
	}
	// A failing checkpoint (duplicate section index) rolls back entirely.
	bad := []Section{{Index: 0, Body: "x"}, {Index: 0, Body: "y"}}
	if err := s.Checkpoint(ctx, id, "Other", []byte(`{"step":3}`), bad); err == nil {
		t.Fatal("duplicate sections accepted")
	}
	a, _ = s.Get(ctx, id)
	if string(a.State) != `{"step":2}` || len(a.Sections) != 2 || a.Title != "Title" {
		t.Fatalf("failed checkpoint was partly applied: %+v", a)
	}
	for i := 1; i <= 2; i++ {
		rev, err := s.AddRevision(ctx, id, Revision{Title: "T", Slug: "t", Markdown: fmt.Sprint("md", i), Manifest: "{}"})
		if err != nil || rev != i {
			t.Fatalf("AddRevision = %d, %v", rev, err)
		}
	}
	s.Close()
	// Reopen: everything persisted.
	s2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	a, err = s2.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	latest, ok := a.Latest()
	if a.Status != StatusDone || a.Summary.Revisions != 2 || !ok || latest.Markdown != "md2" || latest.Rev != 2 {
		t.Fatalf("after reopen: %+v", a.Summary)
	}
	list, err := s2.List(ctx)
	if err != nil || len(list) != 1 || list[0].Slug != "t" {
		t.Fatalf("List = %+v, %v", list, err)
	}
	if info, err := os.Stat(filepath.Dir(path)); err != nil || info.Mode().Perm() != 0o700 {
		t.Errorf("data dir mode: %v %v", info.Mode(), err)
	}
}

func TestNotFound(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	if _, err := s.Get(ctx, 99); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get = %v", err)
	}
	if err := s.Checkpoint(ctx, 99, "", nil, nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("Checkpoint = %v", err)
	}
	if _, err := s.AddRevision(ctx, 99, Revision{}); err == nil {
		t.Errorf("AddRevision on a missing article succeeded")
	}
	if err := s.SetStatus(ctx, 99, StatusFailed); !errors.Is(err, ErrNotFound) {
		t.Errorf("SetStatus = %v", err)
	}
	if err := s.SetStatus(ctx, 99, "weird"); err == nil {
		t.Errorf("unknown status accepted")
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	s, path := openTest(t)
	if _, err := s.db.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(path); err == nil {
		t.Fatal("a newer schema was accepted")
	}
}

func ExampleStore() {
	dir, _ := os.MkdirTemp("", "plume-store")
	defer os.RemoveAll(dir)
	s, err := Open(filepath.Join(dir, FileName))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	ctx := context.Background()
	id, _ := s.Create(ctx, "Compost at home", "en", []byte(`{}`))
	_ = s.Checkpoint(ctx, id, "Compost", []byte(`{}`), []Section{{Index: 0, Body: "Intro."}})
	rev, _ := s.AddRevision(ctx, id, Revision{Title: "Compost", Slug: "compost", Markdown: "# Compost\n", Manifest: "{}"})
	list, _ := s.List(ctx)
	fmt.Println(rev, list[0].Status, list[0].Slug)
	// Output: 1 done compost
}

// TestApprovalStatus: a signed-off revision makes the article approved, a
// later revision without a sign-off (a regeneration) needs-review, and a
// new sign-off approved again.
func TestApprovalStatus(t *testing.T) {
	ctx := context.Background()
	s, err := Open(filepath.Join(t.TempDir(), FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	id, err := s.Create(ctx, "topic", "fr", []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	for i, step := range []struct {
		approved bool
		want     string
	}{
		{false, StatusDone},
		{false, StatusDone},
		{true, StatusApproved},
		{false, StatusNeedsReview},
		{false, StatusNeedsReview},
		{true, StatusApproved},
	} {
		if _, err := s.AddRevision(ctx, id, Revision{Title: "t", Slug: "t", Markdown: "md", Manifest: "{}", Approved: step.approved}); err != nil {
			t.Fatal(err)
		}
		a, err := s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if a.Status != step.want || !Finished(a.Status) {
			t.Errorf("revision %d (approved %v): status %q, want %q", i+1, step.approved, a.Status, step.want)
		}
	}
}
