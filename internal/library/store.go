package library

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Settings of the database connection.
const (
	// BusyTimeoutMS lets a second plume process wait for a lock instead of
	// failing at once (a write transaction here takes milliseconds).
	BusyTimeoutMS = 5000
	// FileName is the database file inside the data directory.
	FileName = "library.db"
	// schemaVersion is stored in PRAGMA user_version.
	schemaVersion = 1
)

// Article statuses.
const (
	StatusRunning     = "running"     // being written, or its process died: resumable when unlocked
	StatusInterrupted = "interrupted" // cancelled (Ctrl-C): resumable
	StatusDone        = "done"
	StatusFailed      = "failed"       // ended on an error: resumable
	StatusOutline     = "outline"      // stopped after its outline (--outline-only): resumable
	StatusApproved    = "approved"     // finished and signed off by a person (plume articles approve)
	StatusNeedsReview = "needs-review" // regenerated after a sign-off: the approval no longer holds
)

// Finished reports whether status is that of a finished article (done,
// approved or needs-review): one with a revision and nothing to resume.
func Finished(status string) bool {
	return status == StatusDone || status == StatusApproved || status == StatusNeedsReview
}

// ErrNotFound is returned for an unknown article id.
var ErrNotFound = errors.New("article not found")

// ErrReadOnly is returned for a write to a library opened with OpenReadOnly
// that does not exist yet.
var ErrReadOnly = errors.New("library opened read-only")

// Store is an open library.
type Store struct {
	db  *sql.DB
	dir string // the data directory (lock files live under it)
	// empty marks a read-only view of a library that does not exist yet
	// (or has no tables): it lists nothing and finds nothing.
	empty bool
	// Now stamps created/updated times (time.Now when nil).
	Now func() time.Time
}

const schemaSQL = `
CREATE TABLE IF NOT EXISTS articles (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	topic      TEXT NOT NULL,
	lang       TEXT NOT NULL,
	status     TEXT NOT NULL,
	title      TEXT NOT NULL DEFAULT '',
	slug       TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	state      TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sections (
	article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
	idx        INTEGER NOT NULL,
	level      INTEGER NOT NULL,
	heading    TEXT NOT NULL,
	body       TEXT NOT NULL,
	revisions  INTEGER NOT NULL,
	PRIMARY KEY (article_id, idx)
);
CREATE TABLE IF NOT EXISTS revisions (
	article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
	rev        INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	title      TEXT NOT NULL,
	slug       TEXT NOT NULL,
	markdown   TEXT NOT NULL,
	manifest   TEXT NOT NULL,
	PRIMARY KEY (article_id, rev)
);`

// Open opens (creating if needed) the database at path; its directory is
// created with owner-only permissions.
func Open(path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("library: %w", err)
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", BusyTimeoutMS))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	// Write transactions take the write lock when they begin (BEGIN
	// IMMEDIATE), where busy_timeout waits for another process's or
	// store's writer. A deferred one that read first and then wrote after
	// another connection committed failed at once with SQLITE_BUSY_SNAPSHOT
	// (517), which no timeout retries: seen when a resumed article job
	// saved its revision while the cancelled one was still writing.
	q.Add("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("library: open %s: %w", path, err)
	}
	// One connection: SQLite serialises writers anyway, and pragmas then
	// apply to every statement.
	db.SetMaxOpenConns(1)
	s := &Store{db: db, dir: filepath.Dir(path)}
	if err := s.migrate(); err != nil {
		db.Close()
		return nil, fmt.Errorf("library: %s: %w", path, err)
	}
	return s, nil
}

func (s *Store) migrate() error {
	var v int
	if err := s.db.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if v > schemaVersion {
		return fmt.Errorf("database schema version %d is newer than this plume (%d)", v, schemaVersion)
	}
	if _, err := s.db.Exec(schemaSQL); err != nil {
		return fmt.Errorf("create schema: %w", err)
	}
	if _, err := s.db.Exec(fmt.Sprintf("PRAGMA user_version = %d", schemaVersion)); err != nil {
		return fmt.Errorf("set schema version: %w", err)
	}
	return nil
}

// Close closes the database.
func (s *Store) Close() error {
	if s.db == nil {
		return nil
	}
	return s.db.Close()
}

func (s *Store) now() string {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	return now().UTC().Format(time.RFC3339)
}

// inTx runs fn in a transaction, committing on success.
func (s *Store) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	if s.db == nil {
		return fmt.Errorf("library: %w", ErrReadOnly)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("library: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("library: commit: %w", err)
	}
	return nil
}
