package flock

import (
	"os"
	"path/filepath"
	"testing"
)

// TestTryLockIsExclusive checks that a second open of the locked file
// cannot take the lock until the first releases it, by Unlock or by Close.
func TestTryLockIsExclusive(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	open := func() *os.File {
		t.Helper()
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	a, b := open(), open()
	steps := []struct {
		name string
		f    *os.File
		want bool
	}{
		{"first takes it", a, true},
		{"second is refused", b, false},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			got, err := TryLock(s.f)
			if err != nil || got != s.want {
				t.Fatalf("TryLock = %v, %v; want %v", got, err, s.want)
			}
		})
	}
	if err := Unlock(a); err != nil {
		t.Fatal(err)
	}
	if ok, err := TryLock(b); err != nil || !ok {
		t.Fatalf("after Unlock: %v, %v", ok, err)
	}
	b.Close()
	if ok, err := TryLock(a); err != nil || !ok {
		t.Fatalf("after the holder closed: %v, %v", ok, err)
	}
}

// TestTryLockClosedFile checks that a bad descriptor is an error, not a
// refusal that would read as "someone else holds it".
func TestTryLockClosedFile(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "y.lock"))
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if ok, err := TryLock(f); err == nil || ok {
		t.Fatalf("TryLock on a closed file = %v, %v; want an error", ok, err)
	}
}
