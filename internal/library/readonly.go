package library

import (
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
)

// OpenReadOnly opens the library at path for reading only: nothing is
// created, migrated or written, so the reading commands (articles list,
// show, export) work on a read-only PLUME_HOME or a full disk. A library
// that does not exist yet reads as empty. The Store it returns refuses
// every write.
//
// SQLite's read-only mode still needs the WAL index (library.db-shm) when
// the database is in WAL mode; in a directory where that file cannot be
// created, the database is opened as immutable instead, which reads the
// main file only: a clean Close of the last writer has checkpointed
// everything into it.
func OpenReadOnly(path string) (*Store, error) {
	s := &Store{dir: filepath.Dir(path)}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		s.empty = true
		return s, nil
	} else if err != nil {
		return nil, fmt.Errorf("library: %w", err)
	}
	var firstErr error
	for _, mode := range []string{"mode=ro", "immutable=1"} {
		db, v, err := openRO(path, mode)
		if err == nil {
			return s.readOnly(db, v, path)
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return nil, fmt.Errorf("library: open %s read-only: %w", path, firstErr)
}

// openRO opens path with the given URI parameter and reads its schema
// version, which proves that the database can be read.
func openRO(path, mode string) (*sql.DB, int, error) {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", BusyTimeoutMS))
	db, err := sql.Open("sqlite", "file:"+path+"?"+mode+"&"+q.Encode())
	if err != nil {
		return nil, 0, err
	}
	db.SetMaxOpenConns(1)
	var v int
	if err := db.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
		db.Close()
		return nil, 0, err
	}
	return db, v, nil
}

// readOnly finishes OpenReadOnly once the database answers: a version-0
// database has no tables yet (an empty library); another version than
// this plume's cannot be read without a migration.
func (s *Store) readOnly(db *sql.DB, v int, path string) (*Store, error) {
	switch {
	case v == 0:
		db.Close()
		s.empty = true
		return s, nil
	case v != schemaVersion:
		db.Close()
		return nil, fmt.Errorf("library: %s: schema version %d, this plume reads %d (a writing command such as plume write migrates it)",
			path, v, schemaVersion)
	}
	s.db = db
	return s, nil
}
