package library

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/plumewriter/plume/internal/sources"
)

// sourcesSQL holds fetched source URLs, so that a replay or an --offline run
// never needs the network. It is created on first use (an additive table:
// older databases gain it without a schema version bump).
const sourcesSQL = `
CREATE TABLE IF NOT EXISTS sources (
	origin    TEXT PRIMARY KEY,
	url       TEXT NOT NULL,
	kind      TEXT NOT NULL,
	title     TEXT NOT NULL,
	author    TEXT NOT NULL,
	charset   TEXT NOT NULL,
	retrieved TEXT NOT NULL,
	sha256    TEXT NOT NULL,
	text      TEXT NOT NULL
);`

// sourcesTable creates the table if needed; IF NOT EXISTS makes this a
// cheap no-op after the first time, and keeps Store's fields untouched.
func (s *Store) sourcesTable() error {
	if _, err := s.db.Exec(sourcesSQL); err != nil {
		return fmt.Errorf("library: create sources table: %w", err)
	}
	return nil
}

// LookupSource returns the stored source fetched from origin (the URL as
// the user gave it).
func (s *Store) LookupSource(ctx context.Context, origin string) (*sources.Source, bool, error) {
	if err := s.sourcesTable(); err != nil {
		return nil, false, err
	}
	src := &sources.Source{Origin: origin}
	var retrieved string
	err := s.db.QueryRowContext(ctx, `SELECT url, kind, title, author, charset, retrieved, sha256, text
		FROM sources WHERE origin = ?`, origin).Scan(&src.URL, &src.Kind, &src.Title, &src.Author, &src.Charset,
		&retrieved, &src.SHA256, &src.Text)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("library: source %s: %w", origin, err)
	}
	if src.Retrieved, err = time.Parse(time.RFC3339Nano, retrieved); err != nil {
		return nil, false, fmt.Errorf("library: source %s: retrieval time: %w", origin, err)
	}
	return src, true, nil
}

// PutSource stores (or replaces) a fetched source.
func (s *Store) PutSource(ctx context.Context, src *sources.Source) error {
	if err := s.sourcesTable(); err != nil {
		return err
	}
	_, err := s.db.ExecContext(ctx, `INSERT OR REPLACE INTO sources
		(origin, url, kind, title, author, charset, retrieved, sha256, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		src.Origin, src.URL, src.Kind, src.Title, src.Author, src.Charset,
		src.Retrieved.UTC().Format(time.RFC3339Nano), src.SHA256, src.Text)
	if err != nil {
		return fmt.Errorf("library: put source %s: %w", src.Origin, err)
	}
	return nil
}

var _ sources.Cache = (*Store)(nil)
