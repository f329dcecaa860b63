package library

import (
	"context"
	"database/sql"
	"fmt"
)

// Delete removes an article with its sections and revisions.
func (s *Store) Delete(ctx context.Context, id int64) error {
	return s.deleteArticle(ctx, id, "delete")
}

// deleteArticle removes article id with its sections and revisions in one
// transaction; verb names the operation in errors.
func (s *Store) deleteArticle(ctx context.Context, id int64, verb string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		// Children first: the foreign keys cascade too, but an old database
		// opened without foreign_keys would keep orphans.
		for _, q := range []string{`DELETE FROM sections WHERE article_id = ?`, `DELETE FROM revisions WHERE article_id = ?`} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return fmt.Errorf("library: %s %d: %w", verb, id, err)
			}
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM articles WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("library: %s %d: %w", verb, id, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return fmt.Errorf("library: %s %d: %w", verb, id, ErrNotFound)
		}
		return nil
	})
}
