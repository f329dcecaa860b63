#!/usr/bin/env bash
# Regenerates the llama.cpp golden files in this folder from the prebuilt ggml
# libraries that node-llama-cpp ships (see shared/bench/README.md). Uses the
# haswell (AVX2+FMA+F16C) CPU variant, which is what llama.cpp loads on the
# project's machines. Usage: bash gen.sh [DIR with node_modules, default /tmp/plume-llamacpp]
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
D="${1:-/tmp/plume-llamacpp}"
SHARED="$HERE/../../../../../shared/bench"
if [ ! -d "$D/node_modules/node-llama-cpp" ]; then
  mkdir -p "$D" && cp "$SHARED/package.json" "$SHARED/package-lock.json" "$D/" && (cd "$D" && npm ci --ignore-scripts >/dev/null)
fi
SRC="$D/llama.cpp-src"
[ -d "$SRC/.git" ] || git -c advice.detachedHead=false clone -q "$D/node_modules/node-llama-cpp/llama/gitRelease.bundle" "$SRC"
L="$D/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64"
gcc -O2 -std=gnu11 -Wall -I"$SRC/ggml/include" "$HERE/gen.c" -o "$D/ggml-golden" \
  -L"$L" -l:libggml-cpu-haswell.so -l:libggml-base.so -Wl,-rpath,"$L" -lm
(cd "$HERE" && "$D/ggml-golden")
echo "llama.cpp $(git -C "$SRC" rev-parse --short HEAD)" > "$HERE/VERSION"
