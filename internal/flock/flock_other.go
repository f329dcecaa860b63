//go:build !unix && !windows

package flock

import (
	"errors"
	"fmt"
	"os"
	"runtime"
)

// errUnsupported is the error on a platform without file locks: running
// unlocked would let two writers share one file.
var errUnsupported = fmt.Errorf("file locks on %s: %w", runtime.GOOS, errors.ErrUnsupported)

// TryLock fails on this platform (see errUnsupported).
func TryLock(*os.File) (bool, error) { return false, errUnsupported }

// Unlock fails like TryLock.
func Unlock(*os.File) error { return errUnsupported }
