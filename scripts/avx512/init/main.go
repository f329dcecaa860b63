// Command init is PID 1 of the emulated machine scripts/avx512/run.sh
// boots: it runs the test binary /kernels.test in the package directory
// the initramfs holds (/w/internal/kernels, with the test data beside it),
// reports the CPU features Go sees and the tests' exit status on the
// console, then powers the machine off.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"

	"golang.org/x/sys/cpu"
)

// doneMarker starts the last line init prints; run.sh waits for it.
const doneMarker = "PLUME-AVX512-DONE"

// consoleDrain is how long init waits before powering off, so that the
// serial console has sent everything (115200 baud: ~11 KB a second, and
// the tty layer may hold a few KB).
const consoleDrain = 3 * time.Second

func main() {
	// What the tests and os/exec expect of a Linux system: /dev/null,
	// /proc and /sys (physical core count).
	for _, m := range []struct{ fs, dir string }{{"devtmpfs", "/dev"}, {"proc", "/proc"}, {"sysfs", "/sys"}} {
		if err := syscall.Mount(m.fs, m.dir, m.fs, 0, ""); err != nil {
			fmt.Printf("PLUME-AVX512 mount %s: %v\n", m.dir, err)
		}
	}
	fmt.Printf("PLUME-AVX512 cpu: avx512f=%v avx512bw=%v avx512vl=%v avx512vnni=%v avx2=%v fma=%v amxtile=%v amxint8=%v amxperm=%v\n",
		cpu.X86.HasAVX512F, cpu.X86.HasAVX512BW, cpu.X86.HasAVX512VL, cpu.X86.HasAVX512VNNI, cpu.X86.HasAVX2, cpu.X86.HasFMA,
		cpu.X86.HasAMXTile, cpu.X86.HasAMXInt8, amxPermitted())
	code := run()
	fmt.Printf("%s exit=%d\n", doneMarker, code)
	// The console's tty is written out after write returns: give it time
	// to reach the serial port before the machine goes off.
	time.Sleep(consoleDrain)
	syscall.Sync()
	if err := syscall.Reboot(syscall.LINUX_REBOOT_CMD_POWER_OFF); err != nil {
		fmt.Println("power off:", err)
	}
	select {} // PID 1 must not exit; run.sh stops the emulator
}

// amxPermitted asks Linux for the AMX tile data permission
// (ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA), as the kernels package does,
// and reports whether it was given: the AMX tests skip without it.
func amxPermitted() bool {
	_, _, errno := syscall.Syscall(syscall.SYS_ARCH_PRCTL, 0x1023, 18, 0)
	return errno == 0
}

// run runs the tests with the arguments given on the kernel command line
// after "--" (the kernel passes them to init) and returns their exit code.
func run() int {
	cmd := exec.Command("/kernels.test", os.Args[1:]...)
	cmd.Dir = "/w/internal/kernels"
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = []string{"HOME=/", "TMPDIR=/tmp"}
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		return exit.ExitCode()
	default:
		fmt.Println("PLUME-AVX512 cannot run the tests:", err)
		return 125
	}
}
