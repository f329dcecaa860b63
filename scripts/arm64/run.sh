#!/usr/bin/env bash
# Runs the arm64 build's tests on an emulated arm64 CPU (qemu-aarch64, user
# mode): the test binaries are cross-compiled (GOARCH=arm64 go test -c) and
# each runs in its package's directory, so its testdata and ../shared are
# found as natively.
#
#   - internal/kernels, whole, on "-cpu max" (ASIMD, dotprod, i8mm: the
#     neon+dotprod+i8mm set) and on "-cpu cortex-a72" (Armv8.0, no
#     dotprod: the neon set), so that the sets and every kernel's fallback
#     are checked bit for bit against the generic code, and MatMul and
#     llama.cpp's goldens run through the chosen set;
#   - PLUME_KERNELS=dotprod on "-cpu max": the neon+dotprod set as MatMul
#     chooses it (its SDOT prompt kernels without the SMMLA one), the
#     batch tests only (TestArmMatMulBatches, the goldens' MatMul);
#     the prompt-batch kernels of every format (the cols4 ones of Q4_0,
#     Q4_1, Q5_1, Q4_K, Q5_K, Q6_K, F16 and BF16, TestNEONCols4*) are
#     checked in both builds by the whole-package runs above, the SDOT
#     build on "max" and the NEON build on both CPUs;
#   - internal/model: the teacher-forced llama.cpp goldens of the quantized
#     models and the two tiny real ones, on "-cpu max" and "cortex-a72" (the
#     F16 models' goldens took most of the emulated time; the F16 kernels
#     are checked bit for bit in internal/kernels);
#   - the same two packages built with -tags purego (the generic Go code,
#     which the arm64 compiler may fuse differently from amd64's) on
#     "-cpu max": kernels whole, model's quantized goldens;
#   - PLUME_KERNELS=generic on "-cpu max": the cap (Path, MatMul);
#   - GOARCH=arm64 go vet ./internal/kernels/ (asmdecl checks the stubs).
#
# Emulated run time on the 2-core development machine under load (seven
# engineers' builds and tests in parallel): 9 to 14 minutes in all — model
# whole 6 to 8 minutes (its F16 models are the slow ones), each goldens
# subset ~2, kernels ~15 s per CPU — plus the cross builds. With the
# arm64 prompt-batch kernels of every format (2026-12-06, four lanes of
# work sharing the machine): 2 min 42 s to 5 min 41 s in all,
# PLUME_ARM64_QUICK=1 26 s.
# PLUME_ARM64_QUICK=1 runs internal/kernels alone (~1 minute);
# PLUME_ARM64_WRITER=1 adds the writer's real-model tests (structured
# decoding, cut words, determinism on the stories260K fixture: ~8 minutes
# more on "-cpu max").
#
# Installs Debian's qemu-user-static with apt-get when qemu-aarch64 is
# missing (as root, as in CI).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"

QEMU=$(command -v qemu-aarch64-static || command -v qemu-aarch64 || true)
if [ -z "$QEMU" ]; then
	echo "== apt-get install qemu-user-static"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q qemu-user-static >/dev/null
	QEMU=$(command -v qemu-aarch64-static)
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/plume-arm64.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

echo "== GOARCH=arm64 go vet ./internal/kernels/"
GOARCH=arm64 go vet ./internal/kernels/

# build PKG NAME [go test flags]: cross-compiles PKG's test binary.
build() {
	local pkg=$1 name=$2
	shift 2
	GOARCH=arm64 go test -c -o "$WORK/$name.test" "$@" "./$pkg"
}

# run PKG NAME CPU [test binary flags]: runs the binary in PKG's directory
# on the emulated CPU.
run() {
	local pkg=$1 name=$2 cpu=$3
	shift 3
	echo "== $pkg ($name) on qemu-aarch64 -cpu $cpu $*"
	(cd "$pkg" && "$QEMU" -cpu "$cpu" "$WORK/$name.test" -test.timeout 30m "$@")
}

# The teacher-forced goldens of the quantized models and the two tiny
# real ones: the formats the NEON kernels cover, without the F16 models
# that take most of the emulated time.
quant_goldens='^TestGoldenTeacherForced$/^(stories260K|TinyStories.*|synth-.*-(Q8_0|Q4_0|Q4_K|Q6_K))$'

# qemu-aarch64 (user mode) delivers the SIGBUS of a truncated mapping
# without its address (si_addr 0), which Go reads as a nil dereference:
# the pool's fault test needs a real kernel's siginfo, so it runs natively
# only (go test above; on arm64 hardware too).
emulator_skip='^TestPoolWorkerFaultReachesCaller$'

build internal/kernels kernels
build internal/kernels kernels-purego -tags purego
run internal/kernels kernels max -test.skip "$emulator_skip"
run internal/kernels kernels cortex-a72 -test.skip "$emulator_skip"
echo "== (PLUME_KERNELS=dotprod: the neon+dotprod set on a CPU with i8mm)"
PLUME_KERNELS=dotprod run internal/kernels kernels max -test.run 'TestPathNamesNEON|TestArmMatMulBatches|TestMatMul|TestGoldenMatMul'
echo "== (PLUME_KERNELS=generic: the cap, on a CPU with dotprod)"
PLUME_KERNELS=generic run internal/kernels kernels max -test.run 'TestPathNamesNEON|TestMatMul'
run internal/kernels kernels-purego max -test.skip "$emulator_skip"
if [ "${PLUME_ARM64_QUICK:-}" = 1 ]; then
	exit 0
fi
build internal/model model
build internal/model model-purego -tags purego
run internal/model model max -test.run "$quant_goldens"
run internal/model model cortex-a72 -test.run "$quant_goldens"
run internal/model model-purego max -test.run "$quant_goldens"
if [ "${PLUME_ARM64_WRITER:-}" = 1 ]; then
	build internal/writer writer
	run internal/writer writer max -test.run 'TestConstrainedDecodingFixture|TestNoCutWordsConstrained|TestDeterministic|TestNoTextContinuesACutHeading'
fi
