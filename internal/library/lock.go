package library

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/plumewriter/plume/internal/flock"
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
	f    *os.File
	path string
}

// maxLockAttempts bounds the retries of LockArticle when the lock file it
// opened was removed by its previous holder before the lock was granted (see
// Unlock): each retry means another process just finished the article, so
// a handful only happens under a pathological race.
const maxLockAttempts = 8

func (s *Store) lockPath(id int64) string {
	return filepath.Join(s.dir, lockDir, fmt.Sprintf("article-%d.lock", id))
}

// LockArticle takes the exclusive writing lock of article id without
// waiting; when another process holds it, the error is a *LockedError.
func (s *Store) LockArticle(id int64) (*ArticleLock, error) {
	if s.dir == "" {
		return nil, errors.New("library: lock: no data directory")
	}
	path := s.lockPath(id)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("library: lock article %d: %w", id, err)
	}
	for range maxLockAttempts {
		lk, retry, err := tryLockPath(id, path)
		if !retry {
			return lk, err
		}
	}
	return nil, fmt.Errorf("library: lock article %d: the lock file kept being replaced", id)
}

// tryLockPath makes one attempt at the lock file path. A lock granted on a
// file that is no longer the one at path (its holder removed it while this
// process waited for it) locks nothing: retry is then true.
func tryLockPath(id int64, path string) (lk *ArticleLock, retry bool, err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, false, fmt.Errorf("library: lock article %d: %w", id, err)
	}
	ok, err := flock.TryLock(f)
	if err != nil {
		f.Close()
		return nil, false, fmt.Errorf("library: lock article %d: %w", id, err)
	}
	if !ok {
		pid := readPID(f)
		f.Close()
		return nil, false, &LockedError{ID: id, PID: pid}
	}
	held, err1 := f.Stat()
	cur, err2 := os.Stat(path)
	if err1 != nil || err2 != nil || !os.SameFile(held, cur) {
		f.Close()
		return nil, true, nil
	}
	// Best effort: the PID only improves the other process's message.
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &ArticleLock{f: f, path: path}, false, nil
}

// Unlock removes the lock file and releases the lock, so lock files do not
// pile up. The file is removed while the lock is still held: a process that
// opened it meanwhile gets the lock on a removed file, sees that the path
// no longer names it, and retries on a new one (LockArticle).
func (l *ArticleLock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	_ = os.Remove(l.path) // best effort: a leftover file is harmless
	err := l.f.Close()
	l.f = nil
	if err != nil {
		return fmt.Errorf("library: unlock: %w", err)
	}
	return nil
}

// Locked reports whether a live process holds article id's lock. It only
// reads (the lock file is opened read-only and never created), so it works
// on a read-only library.
func (s *Store) Locked(id int64) (bool, error) {
	if s.dir == "" {
		return false, errors.New("library: lock: no data directory")
	}
	f, err := os.Open(s.lockPath(id))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("library: lock of article %d: %w", id, err)
	}
	defer f.Close() // closing releases the lock taken just to test it
	ok, err := flock.TryLock(f)
	if err != nil {
		return false, fmt.Errorf("library: lock of article %d: %w", id, err)
	}
	return !ok, nil
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
