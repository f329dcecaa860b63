package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Article locks.
//
// A writer holds an exclusive advisory lock (flock on Unix, LockFileEx on
// Windows) on DATA/locks/article-ID.lock for as long as it writes article
// ID. The kernel drops the lock when the file is closed, which includes the
// process dying in any way (panic, SIGKILL, power loss): a crashed writer
// can therefore never leave an article locked, and there is no stale-lock
// rule to get wrong (no PID reuse, no clock, no lease to renew). A lock row
// in SQLite would need exactly such a heuristic. The holder's PID is written
// into the file only so that the error can name it.
const (
	// lockDir is the directory of the lock files, beside the database.
	lockDir = "locks"
	// maxLockFileBytes bounds what is read back from a lock file (a PID).
	maxLockFileBytes = 32
)

// ErrLocked matches a *LockedError: another process writes the article.
var ErrLocked = errors.New("article is locked")

// LockedError says which process holds an article.
type LockedError struct {
	ID  int64
	PID int // 0 when the holder has not recorded it (yet)
}

func (e *LockedError) Error() string {
	pid := "unknown"
	if e.PID > 0 {
		pid = strconv.Itoa(e.PID)
	}
	return fmt.Sprintf("article %d is being written by another plume process (pid %s)", e.ID, pid)
}

// Is makes errors.Is(err, ErrLocked) true.
func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// ArticleLock is a held article lock; Unlock releases it.
type ArticleLock struct {
	f *os.File
}

// LockArticle takes the exclusive writing lock of article id without
// waiting; when another process holds it, the error is a *LockedError.
func (s *Store) LockArticle(id int64) (*ArticleLock, error) {
	if s.dir == "" {
		return nil, errors.New("store: lock: no data directory")
	}
	dir := filepath.Join(s.dir, lockDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: lock article %d: %w", id, err)
	}
	path := filepath.Join(dir, fmt.Sprintf("article-%d.lock", id))
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: lock article %d: %w", id, err)
	}
	ok, err := tryLock(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("store: lock article %d: %w", id, err)
	}
	if !ok {
		pid := readPID(f)
		f.Close()
		return nil, &LockedError{ID: id, PID: pid}
	}
	// Best effort: the PID only improves the other process's message.
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &ArticleLock{f: f}, nil
}

// Unlock releases the lock (closing the file releases it); the file stays,
// since removing it would race with a process about to lock it.
func (l *ArticleLock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	if err != nil {
		return fmt.Errorf("store: unlock: %w", err)
	}
	return nil
}

func readPID(f *os.File) int {
	buf := make([]byte, maxLockFileBytes)
	n, _ := f.ReadAt(buf, 0)
	pid, err := strconv.Atoi(strings.TrimSpace(string(buf[:n])))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}
