package library

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/plumewriter/plume/internal/testutil"
)

// TestOpenReadOnlyOnReadOnlyDirectory is the regression test for reading
// commands that failed with "unable to open database file" on a read-only
// PLUME_HOME: the library (left in WAL mode by its last writer) is listed
// and read; writes fail cleanly; running rows whose writer is gone read as
// interrupted.
func TestOpenReadOnlyOnReadOnlyDirectory(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "home")
	path := filepath.Join(dir, FileName)
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.Create(ctx, "Compost", "en", []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddRevision(ctx, id, Revision{Title: "T", Slug: "t", Markdown: "md", Manifest: "{}"}); err != nil {
		t.Fatal(err)
	}
	id2, err := s.Create(ctx, "Orphan", "en", []byte(`{}`)) // stays "running", no lock held
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	testutil.ReadOnlyDir(t, dir)
	if f, err := os.Create(filepath.Join(dir, "probe")); err == nil {
		f.Close()
		t.Fatal("the directory is still writable")
	}
	ro, err := OpenReadOnly(path)
	if err != nil {
		t.Fatalf("OpenReadOnly: %v", err)
	}
	defer ro.Close()
	list, err := ro.List(ctx)
	if err != nil || len(list) != 2 {
		t.Fatalf("list: %v %+v", err, list)
	}
	a, err := ro.Get(ctx, id)
	if err != nil || a.Status != StatusDone || len(a.Revisions) != 1 {
		t.Fatalf("get: %v %+v", err, a)
	}
	if a, err := ro.Get(ctx, id2); err != nil || a.Status != StatusInterrupted {
		t.Fatalf("dead writer's article: %v %+v", err, a)
	}
	if err := ro.SetStatus(ctx, id, StatusFailed); err == nil {
		t.Error("a write through the read-only library succeeded")
	}
}

// TestOpenReadOnlyMissingLibrary: reading a library that was never
// created lists nothing, finds nothing, and creates nothing.
func TestOpenReadOnlyMissingLibrary(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "none")
	s, err := OpenReadOnly(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if list, err := s.List(context.Background()); err != nil || len(list) != 0 {
		t.Fatalf("list: %v %v", err, list)
	}
	if _, err := s.Get(context.Background(), 1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("get: %v", err)
	}
	if _, err := s.Create(context.Background(), "x", "en", nil); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("create: %v", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the data directory was created: %v", err)
	}
}

// TestRemove deletes an article's rows and lock file, refuses a locked
// article, and reports an unknown one.
func TestRemove(t *testing.T) {
	ctx := context.Background()
	s, path := openTest(t)
	id, _ := s.Create(ctx, "Compost", "en", []byte(`{}`))
	if err := s.Checkpoint(ctx, id, "T", []byte(`{}`), []Section{{Index: 0, Body: "x"}}); err != nil {
		t.Fatal(err)
	}
	lk, err := s.LockArticle(id)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Remove(ctx, id); !errors.Is(err, ErrLocked) {
		t.Fatalf("remove while locked: %v", err)
	}
	lk.Unlock()
	if err := s.Remove(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, id); !errors.Is(err, ErrNotFound) {
		t.Fatalf("get after remove: %v", err)
	}
	var n int
	if err := s.db.QueryRow(`SELECT COUNT(*) FROM sections`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("sections left: %d %v", n, err)
	}
	locks, _ := os.ReadDir(filepath.Join(filepath.Dir(path), lockDir))
	if len(locks) != 0 {
		t.Errorf("lock files left: %v", locks)
	}
	if err := s.Remove(ctx, id); !errors.Is(err, ErrNotFound) {
		t.Fatalf("remove twice: %v", err)
	}
}

// TestLiveStatus: "running" only while the lock is held.
func TestLiveStatus(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	id, _ := s.Create(ctx, "Compost", "en", []byte(`{}`))
	lk, err := s.LockArticle(id)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		held bool
		want string
	}{{"held", true, StatusRunning}, {"released", false, StatusInterrupted}} {
		t.Run(tc.name, func(t *testing.T) {
			if !tc.held {
				lk.Unlock()
			}
			list, err := s.List(ctx)
			if err != nil || list[0].Status != tc.want {
				t.Fatalf("list: %v %+v, want %s", err, list, tc.want)
			}
		})
	}
}
