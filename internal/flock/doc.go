// Package flock takes exclusive advisory locks on open files without
// blocking: flock(2) on Unix, LockFileEx on Windows. It is the one lock
// primitive of Plume, shared by the article library (one writer per
// article) and the model cache (one download per blob).
//
// The kernel drops a lock when its file is closed, including when the
// process dies in any way, so a crashed holder never leaves a lock behind.
// On a platform with neither primitive, TryLock fails with an error that
// matches errors.ErrUnsupported: every caller then refuses to go on rather
// than run unlocked.
package flock
