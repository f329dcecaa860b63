//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly || windows)

package store

import (
	"errors"
	"os"
)

// tryLock reports that article locks are unsupported on this platform.
func tryLock(*os.File) (bool, error) {
	return false, errors.New("article locks are not supported on this platform")
}
