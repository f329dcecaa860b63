package hub

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/plumewriter/plume/internal/flock"
)

// Download tunables.
const (
	// copyBufSize is the read/write chunk: large enough for full throughput,
	// small enough that a drop loses little.
	copyBufSize = 1 << 20
	// progressEvery throttles progress events (NDJSON lines, bar redraws).
	progressEvery = 100 * time.Millisecond
	// lockPoll is how often a pull waiting for another one's lock retries.
	lockPoll = 200 * time.Millisecond
	// MinDownloadRate and RateWindow: a body that delivers fewer than
	// MinDownloadRate bytes per second, averaged over RateWindow, is dropped
	// and resumed with Range on a new connection. The idle timeout alone
	// never fires on a trickle (one byte every 10 s keeps it alive for
	// ever); at 8 KiB/s the smallest useful model (~100 MB) already takes
	// 3.5 hours, so nothing slower is a download worth waiting on, and a
	// minute is long enough to ride out a congested moment.
	MinDownloadRate = 8 << 10
	RateWindow      = 60 * time.Second
	// DiskMargin is the free space a download leaves on the disk beyond the
	// file itself: the article library (SQLite journal), the hash cache and
	// the rest of the system need room to keep working.
	DiskMargin = 256 << 20
	// blobMode makes committed blobs read-only, as restic does, so another
	// program cannot truncate a model that is mapped in memory by mistake
	// (a truncated mapping faults, issue 13 item 1).
	blobMode = 0o444
)

var (
	errIdle = errors.New("no data received within the idle read timeout")
	errSlow = errors.New("download slower than the minimum rate")
	// ErrNoSpace is a download that would not fit on the disk.
	ErrNoSpace = errors.New("not enough free disk space")
)

// download is one blob transfer; its hash state survives retries so a
// resumed attempt does not re-read the bytes already on disk.
type download struct {
	s        *Cache
	c        *client
	t        target
	meta     fileMeta
	tmp      string // cache-relative .incomplete path
	f        *os.File
	h        hash.Hash
	off      int64
	fromDisk int64 // bytes found in the .incomplete file when it was opened
	progress func(Event)
	last     time.Time
}

func newDigest(lfs bool) hash.Hash {
	if lfs {
		return sha256.New()
	}
	return sha1.New()
}

// fetchBlob makes blobs/<digest> present and verified, downloading it under
// a per-blob file lock. A blob another pull (or tool) already completed is
// reused.
func (s *Cache) fetchBlob(ctx context.Context, c *client, t target, meta fileMeta, progress func(Event)) error {
	blob := blobRel(t.repo, meta.Digest)
	if ok, err := s.haveBlob(blob, meta, t, progress); ok || err != nil {
		return err
	}
	unlock, err := s.lock(ctx, lockRel(t.repo, meta.Digest), t, progress)
	if err != nil {
		return err
	}
	defer unlock()
	if ok, err := s.haveBlob(blob, meta, t, progress); ok || err != nil {
		return err
	}
	d := &download{s: s, c: c, t: t, meta: meta, tmp: blob + ".incomplete", progress: progress}
	if err := d.open(); err != nil {
		return err
	}
	if err := s.checkSpace(path.Dir(blob), meta.Size-d.off); err != nil {
		d.close()
		return fmt.Errorf("downloading %s/%s: %w", t.repo, t.file, err)
	}
	defer d.close()
	onRetry := retryReporter(progress, t, func() (int64, int64) { return d.off, meta.Size })
	err = c.retry(ctx, onRetry, func() error { return d.attempt(ctx) })
	if errors.Is(err, ErrDigestMismatch) && d.fromDisk > 0 {
		// The bytes left by an earlier process may be what was bad (a crash
		// before they reached the disk): start over once from zero.
		emit(progress, Event{Type: EventRestart, Repo: t.repo, File: t.file, Total: meta.Size, Error: err.Error()})
		d.fromDisk = 0
		if err = d.reset(); err == nil {
			err = c.retry(ctx, onRetry, func() error { return d.attempt(ctx) })
		}
	}
	if err != nil {
		if errors.Is(err, ErrDigestMismatch) || errors.Is(err, ErrSizeMismatch) {
			d.discard()
		}
		return fmt.Errorf("downloading %s/%s: %w", t.repo, t.file, err)
	}
	return d.commit(blob)
}

// haveBlob reports whether the blob is already complete. Blobs written by
// other tools are hashed once (then remembered) before they are trusted.
func (s *Cache) haveBlob(blob string, meta fileMeta, t target, progress func(Event)) (bool, error) {
	fi, err := s.root.Stat(blob)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("checking %s: %w", blob, err)
	}
	if !fi.Mode().IsRegular() || fi.Size() != meta.Size {
		return false, nil // not ours to delete in place; re-download over it
	}
	if !meta.LFS {
		return true, nil
	}
	sum, err := s.hashes.digest(s.abs(blob), func() {
		emit(progress, Event{Type: EventVerify, Repo: t.repo, File: t.file, Total: meta.Size})
	})
	if err != nil {
		return false, fmt.Errorf("verifying cached %s: %w", blob, err)
	}
	if sum != meta.Digest {
		return false, nil
	}
	emit(progress, Event{Type: EventReuse, Repo: t.repo, File: t.file, SHA256: sum, Total: meta.Size, Completed: meta.Size})
	return true, nil
}

// lock takes an exclusive flock on the blob's lock file, polling so the
// wait can be cancelled.
func (s *Cache) lock(ctx context.Context, rel string, t target, progress func(Event)) (func(), error) {
	if err := s.root.MkdirAll(path.Dir(rel), 0o755); err != nil {
		return nil, fmt.Errorf("creating lock dir: %w", err)
	}
	f, err := s.root.OpenFile(rel, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening lock: %w", err)
	}
	waited := false
	for {
		ok, err := flock.TryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", rel, err)
		}
		if ok {
			return func() { _ = flock.Unlock(f); f.Close() }, nil
		}
		if !waited {
			waited = true
			emit(progress, Event{Type: EventWait, Repo: t.repo, File: t.file})
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("waiting for another pull of %s: %w", t.file, context.Cause(ctx))
		case <-time.After(lockPoll):
		}
	}
}

// open opens (or creates) the .incomplete file and hashes what is already
// in it, so the download continues where a previous process stopped.
func (d *download) open() error {
	if err := d.s.root.MkdirAll(path.Dir(d.tmp), 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", path.Dir(d.tmp), err)
	}
	f, err := d.s.root.OpenFile(d.tmp, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("opening %s: %w", d.tmp, err)
	}
	d.f, d.h = f, newDigest(d.meta.LFS)
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("stat %s: %w", d.tmp, err)
	}
	if fi.Size() > d.meta.Size {
		return d.reset()
	}
	n, err := io.Copy(d.h, io.NewSectionReader(f, 0, fi.Size()))
	if err != nil {
		return fmt.Errorf("reading partial %s: %w", d.tmp, err)
	}
	d.off, d.fromDisk = n, n
	return nil
}

func (d *download) reset() error {
	if err := d.f.Truncate(0); err != nil {
		return fmt.Errorf("truncating %s: %w", d.tmp, err)
	}
	d.h.Reset()
	d.off = 0
	return nil
}

func (d *download) close() {
	if d.f != nil {
		d.f.Close()
		d.f = nil
	}
}

func (d *download) discard() {
	d.close()
	_ = d.s.root.Remove(d.tmp)
}

// attempt runs one GET from the current offset to the end.
func (d *download) attempt(ctx context.Context) error {
	if d.off < d.meta.Size || d.meta.Size == 0 && d.off == 0 {
		start := d.off
		err := d.get(ctx)
		if err != nil {
			// A trickle moves a few bytes per attempt: it must not reset
			// the retry count, or it would be retried for ever.
			return progressError{advanced: d.off > start && !errors.Is(err, errSlow), err: err}
		}
	}
	return d.verify()
}

func (d *download) get(ctx context.Context) error {
	reqCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	req, err := http.NewRequestWithContext(reqCtx, http.MethodGet, d.meta.URL, nil)
	if err != nil {
		return fmt.Errorf("GET %s: %w", d.meta.URL, err)
	}
	req.Header.Set("Accept-Encoding", "identity")
	if d.off > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(d.off, 10)+"-")
	}
	resp, err := d.c.hc.Do(req)
	if err != nil {
		return d.c.netError(ctx, "GET "+d.meta.URL, err)
	}
	defer resp.Body.Close()
	if err := d.checkResponse(resp); err != nil {
		return err
	}
	emit(d.progress, Event{Type: EventStart, Repo: d.t.repo, File: d.t.file, Total: d.meta.Size, Completed: d.off})
	return d.copyBody(ctx, reqCtx, resp.Body, cancel)
}

// checkResponse accepts 206 at our offset or 200 (restarting from zero when
// the server ignored Range), and rejects a size that disagrees with the hub.
func (d *download) checkResponse(resp *http.Response) error {
	switch resp.StatusCode {
	case http.StatusPartialContent:
		start, total, ok := parseContentRange(resp.Header.Get("Content-Range"))
		if ok && total >= 0 && total != d.meta.Size {
			return fmt.Errorf("%w: hub announced %d bytes, server has %d", ErrSizeMismatch, d.meta.Size, total)
		}
		if !ok || start != d.off {
			if err := d.reset(); err != nil {
				return err
			}
			return transient{fmt.Errorf("bad Content-Range %q for offset %d; restarting", resp.Header.Get("Content-Range"), d.off)}
		}
		return nil
	case http.StatusOK:
		if resp.ContentLength >= 0 && resp.ContentLength != d.meta.Size {
			return fmt.Errorf("%w: hub announced %d bytes, server sends %d", ErrSizeMismatch, d.meta.Size, resp.ContentLength)
		}
		if d.off > 0 {
			emit(d.progress, Event{Type: EventRestart, Repo: d.t.repo, File: d.t.file, Total: d.meta.Size, Completed: d.off})
			return d.reset()
		}
		return nil
	case http.StatusRequestedRangeNotSatisfiable:
		if err := d.reset(); err != nil {
			return err
		}
		return transient{fmt.Errorf("server refused range from %d; restarting", d.off)}
	}
	return statusError(resp, d.t)
}

// parseContentRange reads "bytes START-END/TOTAL" (TOTAL may be "*" → -1).
func parseContentRange(h string) (start, total int64, ok bool) {
	rest, found := strings.CutPrefix(h, "bytes ")
	if !found {
		return 0, 0, false
	}
	rng, tot, found := strings.Cut(rest, "/")
	s, _, found2 := strings.Cut(rng, "-")
	if !found || !found2 {
		return 0, 0, false
	}
	start, err := strconv.ParseInt(s, 10, 64)
	if err != nil || start < 0 {
		return 0, 0, false
	}
	total = -1
	if tot != "*" {
		if total, err = strconv.ParseInt(tot, 10, 64); err != nil {
			return 0, 0, false
		}
	}
	return start, total, true
}

// copyBody streams the body to disk, hashing as it goes. Watchdogs cancel
// the request when no byte arrives for the idle timeout, or when fewer than
// minRate bytes per second arrived over the last rate window.
func (d *download) copyBody(ctx, reqCtx context.Context, body io.Reader, cancel context.CancelCauseFunc) error {
	idle := time.AfterFunc(d.c.net.idleTimeout, func() { cancel(errIdle) })
	defer idle.Stop()
	var received atomic.Int64
	stopRate := rateWatchdog(d.c.net.minRate, d.c.net.rateWindow, &received, func() { cancel(errSlow) })
	defer stopRate()
	buf := make([]byte, copyBufSize)
	for {
		n, rerr := body.Read(buf)
		if n > 0 {
			received.Add(int64(n))
			idle.Reset(d.c.net.idleTimeout)
			if d.off+int64(n) > d.meta.Size {
				return fmt.Errorf("%w: server sent more than the announced %d bytes", ErrSizeMismatch, d.meta.Size)
			}
			if _, err := d.f.WriteAt(buf[:n], d.off); err != nil {
				return fmt.Errorf("writing %s: %w", d.tmp, err)
			}
			d.h.Write(buf[:n])
			d.off += int64(n)
			d.report(false)
		}
		if rerr == io.EOF {
			if d.off < d.meta.Size {
				return transient{fmt.Errorf("connection closed after %d of %d bytes: %w", d.off, d.meta.Size, io.ErrUnexpectedEOF)}
			}
			return nil
		}
		if rerr != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("download interrupted at %d of %d bytes: %w", d.off, d.meta.Size, context.Cause(ctx))
			}
			return transient{fmt.Errorf("reading body at %d of %d bytes: %w", d.off, d.meta.Size, readCause(rerr, context.Cause(reqCtx)))}
		}
	}
}

// readCause names the watchdog that cancelled the read (the caller's own
// cancellation was handled before).
func readCause(err error, cause error) error {
	if errors.Is(err, context.Canceled) {
		if errors.Is(cause, errSlow) {
			return errSlow
		}
		return errIdle
	}
	return err
}

// rateWatchdog calls slow when fewer than minRate×window bytes were counted
// in received during a window; it checks at the end of every window until
// the returned stop is called. minRate ≤ 0 disables it.
func rateWatchdog(minRate int64, window time.Duration, received *atomic.Int64, slow func()) (stop func()) {
	if minRate <= 0 || window <= 0 {
		return func() {}
	}
	need := minRate * int64(window) / int64(time.Second)
	var mu sync.Mutex
	var t *time.Timer
	stopped := false
	var last int64
	var check func()
	check = func() {
		mu.Lock()
		defer mu.Unlock()
		if stopped {
			return
		}
		now := received.Load()
		if now-last < need {
			slow()
			return
		}
		last = now
		t = time.AfterFunc(window, check)
	}
	t = time.AfterFunc(window, check)
	return func() {
		mu.Lock()
		defer mu.Unlock()
		stopped = true
		t.Stop()
	}
}

func (d *download) report(final bool) {
	if d.progress == nil || (!final && time.Since(d.last) < progressEvery) {
		return
	}
	d.last = time.Now()
	d.progress(Event{Type: EventProgress, Repo: d.t.repo, File: d.t.file, Total: d.meta.Size, Completed: d.off})
}

// verify checks size and digest of the finished .incomplete file.
func (d *download) verify() error {
	d.report(true)
	if d.off != d.meta.Size {
		return fmt.Errorf("%w: expected %d bytes, got %d", ErrSizeMismatch, d.meta.Size, d.off)
	}
	got := hex.EncodeToString(d.h.Sum(nil))
	want := d.meta.Digest
	if !d.meta.LFS {
		got = gitBlobSHA1(d.f, d.meta.Size)
	}
	if got != want {
		algo := "sha256"
		if !d.meta.LFS {
			algo = "git sha1"
		}
		return fmt.Errorf("%w: %s/%s: expected %s %s, got %s; the partial file was deleted", ErrDigestMismatch, d.t.repo, d.t.file, algo, want, got)
	}
	return nil
}

// gitBlobSHA1 is git's object id of a small (non-LFS) file: sha1 of
// "blob <size>\x00" + content. Errors yield "" (a mismatch).
func gitBlobSHA1(f *os.File, size int64) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", size)
	if _, err := io.Copy(h, io.NewSectionReader(f, 0, size)); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
}

// commit fsyncs the verified file and renames it into place atomically.
func (d *download) commit(blob string) error {
	if err := d.f.Sync(); err != nil {
		return fmt.Errorf("fsync %s: %w", d.tmp, err)
	}
	fi, err := d.f.Stat()
	if err != nil {
		return fmt.Errorf("stat %s: %w", d.tmp, err)
	}
	// Read-only before the rename, so the blob is never writable under its
	// final name; Plume's own rm unlinks it (a directory operation).
	if err := d.f.Chmod(blobMode); err != nil {
		return fmt.Errorf("chmod %s: %w", d.tmp, err)
	}
	d.close()
	if err := d.s.root.Rename(d.tmp, blob); err != nil {
		return fmt.Errorf("renaming %s: %w", d.tmp, err)
	}
	if dir, err := d.s.root.Open(path.Dir(blob)); err == nil {
		_ = dir.Sync() // make the rename durable
		dir.Close()
	}
	if d.meta.LFS {
		if nfi, err := d.s.root.Stat(blob); err == nil && nfi.Size() == fi.Size() {
			d.s.hashes.remember(d.s.abs(blob), nfi, d.meta.Digest)
		}
	}
	return nil
}

func emit(progress func(Event), e Event) {
	if progress != nil {
		progress(e)
	}
}
