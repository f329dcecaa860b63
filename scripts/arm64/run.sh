#!/usr/bin/env bash
# Runs the arm64 build's tests on an emulated arm64 CPU (qemu-aarch64, user
# mode): the test binaries are cross-compiled (GOARCH=arm64 go test -c) and
# each runs in its package's directory, so its testdata and ../shared are
# found as natively.
#
#   - internal/kernels on "-cpu max" (ASIMD, dotprod, i8mm: the
#     neon+dotprod set) and on "-cpu cortex-a72" (Armv8.0, no dotprod: the
#     neon set), so that both sets and every kernel's fallback are checked
#     bit for bit against the generic code, and the whole package (MatMul,
#     llama.cpp goldens) runs through the chosen set;
#   - internal/model (the forward pass against llama.cpp's goldens) on both;
#   - internal/kernels and internal/model built with -tags purego (the
#     generic code alone) on "-cpu max";
#   - GOARCH=arm64 go vet ./internal/kernels/ (asmdecl checks the stubs).
#
# Emulated run time on the 2-core development machine, under load: about
# 2 minutes in all (the kernels package ~10 s per CPU, model ~30 s per
# CPU), plus the cross builds.
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

# run PKG NAME CPU: runs the binary in PKG's directory on the emulated CPU.
run() {
	local pkg=$1 name=$2 cpu=$3
	echo "== $pkg ($name) on qemu-aarch64 -cpu $cpu"
	(cd "$pkg" && "$QEMU" -cpu "$cpu" "$WORK/$name.test" -test.timeout 20m)
}

build internal/kernels kernels
build internal/model model
build internal/kernels kernels-purego -tags purego
build internal/model model-purego -tags purego

for cpu in max cortex-a72; do
	run internal/kernels kernels "$cpu"
	run internal/model model "$cpu"
done
run internal/kernels kernels-purego max
run internal/model model-purego max
