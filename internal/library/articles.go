package library

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Section is one drafted part of an article, as last checkpointed.
type Section struct {
	Index     int    `json:"index"`
	Level     int    `json:"level"`
	Heading   string `json:"heading"`
	Body      string `json:"body"`
	Revisions int    `json:"revisions"`
}

// Summary is one line of the library listing.
type Summary struct {
	ID        int64  `json:"id"`
	Topic     string `json:"topic"`
	Lang      string `json:"lang"`
	Status    string `json:"status"`
	Title     string `json:"title"`
	Slug      string `json:"slug"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
	Revisions int    `json:"revisions"`
}

// Revision is one finished version of an article.
type Revision struct {
	Rev       int    `json:"rev"`
	CreatedAt string `json:"created_at"`
	Title     string `json:"title"`
	Slug      string `json:"slug"`
	Markdown  string `json:"markdown"`
	Manifest  string `json:"manifest"` // JSON
	// Approved marks a human sign-off (plume articles approve): the
	// article's status becomes approved. A later revision without it (an
	// AI regeneration) makes an approved article needs-review.
	Approved bool `json:"-"`
}

// Article is everything stored about one article.
type Article struct {
	Summary
	State     []byte     // the writer's checkpoint (JSON)
	Sections  []Section  // in order
	Revisions []Revision // oldest first
}

// Latest returns the newest revision, if any.
func (a *Article) Latest() (Revision, bool) {
	if len(a.Revisions) == 0 {
		return Revision{}, false
	}
	return a.Revisions[len(a.Revisions)-1], true
}

// Create adds a running article with its initial checkpoint.
func (s *Store) Create(ctx context.Context, topic, lang string, state []byte) (int64, error) {
	if s.db == nil {
		return 0, fmt.Errorf("library: create: %w", ErrReadOnly)
	}
	now := s.now()
	res, err := s.db.ExecContext(ctx,
		`INSERT INTO articles (topic, lang, status, created_at, updated_at, state) VALUES (?, ?, ?, ?, ?, ?)`,
		topic, lang, StatusRunning, now, now, string(state))
	if err != nil {
		return 0, fmt.Errorf("library: create: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("library: create: %w", err)
	}
	return id, nil
}

// Checkpoint replaces the article's checkpoint, title and sections in one
// transaction.
func (s *Store) Checkpoint(ctx context.Context, id int64, title string, state []byte, sections []Section) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE articles SET state = ?, title = ?, updated_at = ? WHERE id = ?`,
			string(state), title, s.now(), id)
		if err != nil {
			return fmt.Errorf("library: checkpoint %d: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return fmt.Errorf("library: checkpoint %d: %w", id, ErrNotFound)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sections WHERE article_id = ?`, id); err != nil {
			return fmt.Errorf("library: checkpoint %d: %w", id, err)
		}
		for _, sec := range sections {
			if _, err := tx.ExecContext(ctx,
				`INSERT INTO sections (article_id, idx, level, heading, body, revisions) VALUES (?, ?, ?, ?, ?, ?)`,
				id, sec.Index, sec.Level, sec.Heading, sec.Body, sec.Revisions); err != nil {
				return fmt.Errorf("library: checkpoint %d section %d: %w", id, sec.Index, err)
			}
		}
		return nil
	})
}

// AddRevision stores a finished version and marks the article done; it
// returns the revision number (1, 2, …).
func (s *Store) AddRevision(ctx context.Context, id int64, r Revision) (int, error) {
	var rev int
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(rev), 0) + 1 FROM revisions WHERE article_id = ?`, id).Scan(&rev); err != nil {
			return fmt.Errorf("library: revision of %d: %w", id, err)
		}
		status := StatusDone
		if r.Approved {
			status = StatusApproved
		} else {
			var old string
			if err := tx.QueryRowContext(ctx, `SELECT status FROM articles WHERE id = ?`, id).Scan(&old); err != nil {
				return fmt.Errorf("library: revision of %d: %w", id, ErrNotFound)
			}
			if old == StatusApproved || old == StatusNeedsReview {
				status = StatusNeedsReview // the text changed after a person signed it off
			}
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO revisions (article_id, rev, created_at, title, slug, markdown, manifest) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			id, rev, now, r.Title, r.Slug, r.Markdown, r.Manifest); err != nil {
			return fmt.Errorf("library: revision of %d: %w", id, err)
		}
		res, err := tx.ExecContext(ctx, `UPDATE articles SET status = ?, title = ?, slug = ?, updated_at = ? WHERE id = ?`,
			status, r.Title, r.Slug, now, id)
		if err != nil {
			return fmt.Errorf("library: revision of %d: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return fmt.Errorf("library: revision of %d: %w", id, ErrNotFound)
		}
		return nil
	})
	return rev, err
}

// SetStatus changes an article's status.
func (s *Store) SetStatus(ctx context.Context, id int64, status string) error {
	switch status {
	case StatusRunning, StatusInterrupted, StatusDone, StatusFailed, StatusOutline:
	default:
		return fmt.Errorf("library: unknown status %q", status)
	}
	if s.db == nil {
		return fmt.Errorf("library: status of %d: %w", id, ErrReadOnly)
	}
	res, err := s.db.ExecContext(ctx, `UPDATE articles SET status = ?, updated_at = ? WHERE id = ?`, status, s.now(), id)
	if err != nil {
		return fmt.Errorf("library: status of %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("library: status of %d: %w", id, ErrNotFound)
	}
	return nil
}

const summaryCols = `a.id, a.topic, a.lang, a.status, a.title, a.slug, a.created_at, a.updated_at,
	(SELECT COUNT(*) FROM revisions r WHERE r.article_id = a.id)`

// rowScanner is a *sql.Row or *sql.Rows.
type rowScanner interface{ Scan(dest ...any) error }

func scanSummary(row rowScanner, s *Summary) error {
	return row.Scan(&s.ID, &s.Topic, &s.Lang, &s.Status, &s.Title, &s.Slug, &s.CreatedAt, &s.UpdatedAt, &s.Revisions)
}

// List returns every article, newest first.
func (s *Store) List(ctx context.Context) ([]Summary, error) {
	if s.empty {
		return nil, nil
	}
	out, err := queryAll(ctx, s.db, "list", scanSummary, `SELECT `+summaryCols+` FROM articles a ORDER BY a.id DESC`)
	for i := range out {
		out[i].Status = s.liveStatus(out[i].ID, out[i].Status)
	}
	return out, err
}

// Get returns one article with its checkpoint, sections and revisions.
func (s *Store) Get(ctx context.Context, id int64) (*Article, error) {
	if s.empty {
		return nil, fmt.Errorf("library: article %d: %w", id, ErrNotFound)
	}
	a := &Article{}
	var state string
	row := s.db.QueryRowContext(ctx, `SELECT `+summaryCols+`, a.state FROM articles a WHERE a.id = ?`, id)
	err := row.Scan(&a.ID, &a.Topic, &a.Lang, &a.Status, &a.Title, &a.Slug, &a.CreatedAt, &a.UpdatedAt, &a.Summary.Revisions, &state)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("library: article %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("library: article %d: %w", id, err)
	}
	a.State = []byte(state)
	a.Status = s.liveStatus(a.ID, a.Status)
	if a.Sections, err = s.sections(ctx, id); err != nil {
		return nil, err
	}
	if a.Revisions, err = s.revisions(ctx, id); err != nil {
		return nil, err
	}
	return a, nil
}

func (s *Store) sections(ctx context.Context, id int64) ([]Section, error) {
	return queryAll(ctx, s.db, fmt.Sprintf("sections of %d", id), func(rows rowScanner, sec *Section) error {
		return rows.Scan(&sec.Index, &sec.Level, &sec.Heading, &sec.Body, &sec.Revisions)
	}, `SELECT idx, level, heading, body, revisions FROM sections WHERE article_id = ? ORDER BY idx`, id)
}

func (s *Store) revisions(ctx context.Context, id int64) ([]Revision, error) {
	return queryAll(ctx, s.db, fmt.Sprintf("revisions of %d", id), func(rows rowScanner, r *Revision) error {
		return rows.Scan(&r.Rev, &r.CreatedAt, &r.Title, &r.Slug, &r.Markdown, &r.Manifest)
	}, `SELECT rev, created_at, title, slug, markdown, manifest FROM revisions WHERE article_id = ? ORDER BY rev`, id)
}

// queryAll runs query with args and scans each row into a T; what names
// the query in errors.
func queryAll[T any](ctx context.Context, db *sql.DB, what string, scan func(rowScanner, *T) error, query string, args ...any) ([]T, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("library: %s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := scan(rows, &v); err != nil {
			return nil, fmt.Errorf("library: %s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("library: %s: %w", what, err)
	}
	return out, nil
}

// liveStatus is the status to show for a stored one: "running" holds only
// while a live process holds the article's lock; the row of a writer that
// died (SIGKILL, power loss) still says running, and reads as interrupted.
func (s *Store) liveStatus(id int64, status string) string {
	if status != StatusRunning {
		return status
	}
	if held, err := s.Locked(id); err == nil && !held {
		return StatusInterrupted
	}
	return status
}

// Remove deletes article id (its checkpoint, sections and revisions) and its
// lock file. It takes the article's lock first, so an article being
// written is refused with a *LockedError.
func (s *Store) Remove(ctx context.Context, id int64) error {
	lk, err := s.LockArticle(id)
	if err != nil {
		return err
	}
	defer lk.Unlock()
	return s.deleteArticle(ctx, id)
}
