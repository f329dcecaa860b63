#!/usr/bin/env bash
# Measures this machine's CPU class into BENCHMARKS.md: builds plume, llama-bench (from ../shared/bench) and membw,
# then runs scripts/bench (synthetic real-shaped models, alternating llama-bench / plume bench at 1 and 2 threads).
# The run replaces the section of this CPU class only (with -only or -t, only the rows it measured) and keeps the
# other classes' sections and the kept tail.
#   bash scripts/bench/run.sh [extra flags for scripts/bench, e.g. -rounds 5 -only SmolLM2]
# Takes 20-40 minutes on a 2-core machine; nothing else should run meanwhile.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SHARED="${PLUME_SHARED:-$ROOT/../shared}"
WORK="${PLUME_BENCH_DIR:-/tmp/plume-bench}"
LLAMA="${PLUME_LLAMACPP:-/tmp/plume-llamacpp}"
mkdir -p "$WORK"
cd "$ROOT"
go build -o "$WORK/plume" ./cmd/plume
[ -x "$LLAMA/bin/llama-bench" ] || bash "$SHARED/bench/build_llama_bench.sh" "$LLAMA"
case "$(uname -m)" in
  x86_64) simd=-mavx2 ;;
  *) simd= ;;   # arm64: NEON is always there
esac
gcc -O3 $simd -pthread scripts/bench/membw/membw.c -o "$WORK/membw"
# A stand-in run (its own section, listed under "Stand-ins"): PLUME_BENCH_AS=SET:VARIANT caps plume to the kernel
# set SET and runs llama-bench from a folder holding only ggml's VARIANT, the pair another CPU class picks, e.g.
# PLUME_BENCH_AS=avxvnni:alderlake (Alder Lake) or avx512:skylakex (Skylake-SP) on an AVX-512 VNNI machine.
LB="$LLAMA/bin/llama-bench"
AS=()
if [ -n "${PLUME_BENCH_AS:-}" ]; then
  set_=${PLUME_BENCH_AS%%:*} variant=${PLUME_BENCH_AS#*:}
  lib="$LLAMA/bin/libggml-cpu-$variant.so"
  [ -e "$lib" ] || { echo "no ggml-cpu variant $variant: $lib" >&2; exit 1; }
  D="$LLAMA/only-$variant"
  mkdir -p "$D"
  cp "$LLAMA/bin/llama-bench" "$D/"   # a copy: ggml looks for its variants beside the executable's real path
  ln -sf "$(readlink -f "$lib")" "$D/"
  LB="$D/llama-bench"
  AS=(-kernels "$set_")
fi
go run ./scripts/bench -plume "$WORK/plume" -llama-bench "$LB" -membw "$WORK/membw" "${AS[@]}" \
  -models "$WORK/models" -fixture "$SHARED/fixtures/TinyStories-656K-Q8_0.gguf" -o "$ROOT/BENCHMARKS.md" "$@"
echo "wrote $ROOT/BENCHMARKS.md"
