package library

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"
)

// TestWritersOfTwoStoresWait: a transaction that reads and then writes,
// while a second store (another connection, as a second article job or
// process has) commits a write in between, succeeds, and so does the
// other writer: the write lock is taken at BEGIN, so the second writer
// waits out busy_timeout instead of the first failing with
// SQLITE_BUSY_SNAPSHOT (517) when it writes after reading.
func TestWritersOfTwoStoresWait(t *testing.T) {
	path := filepath.Join(t.TempDir(), "library.db")
	a, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := a.db.Exec("CREATE TABLE t (x INTEGER)"); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	bDone := make(chan error, 1)
	err = a.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRow("SELECT count(*) FROM t").Scan(&n); err != nil {
			return err
		}
		go func() {
			bDone <- b.inTx(ctx, func(tx *sql.Tx) error {
				_, err := tx.Exec("INSERT INTO t VALUES (2)")
				return err
			})
		}()
		time.Sleep(100 * time.Millisecond) // b's write would commit here if a held no write lock
		_, err := tx.Exec("INSERT INTO t VALUES (1)")
		return err
	})
	if err != nil {
		t.Fatalf("reader turned writer: %v", err)
	}
	if err := <-bDone; err != nil {
		t.Fatalf("second writer: %v", err)
	}
	var n int
	if err := a.db.QueryRow("SELECT count(*) FROM t").Scan(&n); err != nil || n != 2 {
		t.Fatalf("%d rows (%v), want 2", n, err)
	}
}
