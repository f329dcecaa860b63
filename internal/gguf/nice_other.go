//go:build unix && !linux

package gguf

// lowerThreadPriority does nothing here: setpriority sets a whole
// process's priority outside Linux, not a thread's.
func lowerThreadPriority() {}
