package gguf

import "golang.org/x/sys/unix"

// backgroundNice is the priority of the background copy's thread: the
// lowest, so that the kernel runs it only where the engine's threads leave
// a core idle.
const backgroundNice = 19

// lowerThreadPriority gives the calling thread (locked to its goroutine)
// backgroundNice; on Linux, setpriority with a thread id sets that thread
// alone. A failure leaves it at the default priority.
func lowerThreadPriority() {
	_ = unix.Setpriority(unix.PRIO_PROCESS, unix.Gettid(), backgroundNice)
}
