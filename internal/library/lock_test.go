package library

import (
	"bufio"
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestLockArticleIsExclusive is the regression test for two `plume write
// --resume N` running at once: the second claim on N fails with a message
// naming the holder's PID; other articles stay free; Unlock frees N.
func TestLockArticleIsExclusive(t *testing.T) {
	s, path := openTest(t)
	other, err := Open(path) // a second process's view of the library
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	lk, err := s.LockArticle(4)
	if err != nil {
		t.Fatal(err)
	}
	_, err = other.LockArticle(4)
	var le *LockedError
	if !errors.As(err, &le) || !errors.Is(err, ErrLocked) || le.ID != 4 || le.PID != os.Getpid() {
		t.Fatalf("second lock: %v", err)
	}
	want := "article 4 is being written by another plume process (pid " + strconv.Itoa(os.Getpid()) + ")"
	if err.Error() != want { // the message a second plume write prints
		t.Errorf("message %q, want %q", err.Error(), want)
	}
	lk5, err := other.LockArticle(5)
	if err != nil {
		t.Fatalf("another article: %v", err)
	}
	lk5.Unlock()
	if err := lk.Unlock(); err != nil {
		t.Fatal(err)
	}
	lk2, err := other.LockArticle(4)
	if err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	lk2.Unlock()
}

const lockHolderEnv = "PLUME_TEST_LOCK_HOLDER"

// TestLockHolderProcess is not a test: it is the child process of
// TestLockArticleReleasedWhenHolderDies.
func TestLockHolderProcess(t *testing.T) {
	dbPath := os.Getenv(lockHolderEnv)
	if dbPath == "" {
		t.Skip("helper process only")
	}
	s, err := Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.LockArticle(7); err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("locked\n")
	time.Sleep(time.Hour) // until killed
}

// TestLockArticleReleasedWhenHolderDies is the regression test for a crashed
// writer leaving its article locked forever: the child process takes the
// lock and is killed with SIGKILL (no cleanup runs); the lock is then free.
func TestLockArticleReleasedWhenHolderDies(t *testing.T) {
	s, path := openTest(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockHolderProcess$")
	cmd.Env = append(os.Environ(), lockHolderEnv+"="+path)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "locked" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("child: %q %v", line, err)
	}
	_, err = s.LockArticle(7)
	var le *LockedError
	if !errors.As(err, &le) || le.PID != cmd.Process.Pid {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("while the child holds it: %v (child pid %d)", err, cmd.Process.Pid)
	}
	cmd.Process.Kill() // SIGKILL: no deferred Unlock in the child
	cmd.Wait()
	lk, err := s.LockArticle(7)
	if err != nil {
		t.Fatalf("after the holder died: %v", err)
	}
	lk.Unlock()
	if _, err := os.Stat(filepath.Join(filepath.Dir(path), lockDir, "article-7.lock")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("lock file left after Unlock: %v", err)
	}
}

// TestSetStatusInterrupted is the regression test for a cancelled article
// staying "running": the interrupted status is accepted and listed.
func TestSetStatusInterrupted(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	id, err := s.Create(ctx, "Compost", "en", []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetStatus(ctx, id, StatusInterrupted); err != nil {
		t.Fatal(err)
	}
	list, err := s.List(ctx)
	if err != nil || len(list) != 1 || list[0].Status != StatusInterrupted {
		t.Fatalf("list: %v %+v", err, list)
	}
	if err := s.SetStatus(ctx, id, "paused"); err == nil {
		t.Error("unknown status accepted")
	}
}
