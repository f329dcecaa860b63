package library

import (
	"context"
	"database/sql"
	"fmt"
)

// Delete removes an article with its sections and revisions.
func (s *Store) Delete(ctx context.Context, id int64) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{`DELETE FROM sections WHERE article_id = ?`, `DELETE FROM revisions WHERE article_id = ?`} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return fmt.Errorf("library: delete %d: %w", id, err)
			}
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM articles WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("library: delete %d: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return fmt.Errorf("library: delete %d: %w", id, ErrNotFound)
		}
		return nil
	})
}
