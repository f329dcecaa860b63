//go:build !unix

package hub

import "os"

// tryLock is a no-op where flock is unavailable: concurrent pulls then rely
// on the atomic rename alone.
func tryLock(*os.File) (bool, error) { return true, nil }

func unlockFile(*os.File) error { return nil }
