package library

import (
	"context"
	"database/sql"
	"fmt"
)

// deleteArticle removes article id with its sections and revisions in one
// transaction (Remove calls it under the article's lock).
func (s *Store) deleteArticle(ctx context.Context, id int64) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		// Children first: the foreign keys cascade too, but an old database
		// opened without foreign_keys would keep orphans.
		for _, q := range []string{`DELETE FROM sections WHERE article_id = ?`, `DELETE FROM revisions WHERE article_id = ?`} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return fmt.Errorf("library: remove %d: %w", id, err)
			}
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM articles WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("library: remove %d: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return fmt.Errorf("library: remove %d: %w", id, ErrNotFound)
		}
		return nil
	})
}
