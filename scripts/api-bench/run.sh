#!/usr/bin/env bash
# API throughput against `plume bench` (issue #12: the API's decode within 5% of plume bench's on the same model
# and threads): starts `plume serve` on a free loopback port, times R streamed /v1/completions of N tokens from
# their SSE arrival times (time to first token excluded), runs `plume bench` with the same model, threads and N,
# and prints both decode figures and their ratio as a Markdown row for BENCHMARKS.md.
#   bash scripts/api-bench/run.sh [MODEL.gguf] [THREADS] [extra flags: -n 128 -r 3]
# MODEL defaults to the Llama-3.2-1B-shaped Q4_K_M synthetic model of scripts/bench (random weights, so no
# completion ends early at an end-of-generation token: the server has no ignore-EOS option), written on first use.
# Nothing else should run meanwhile; a run takes a few minutes on 2 cores.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
WORK="${PLUME_BENCH_DIR:-/tmp/plume-bench}"
MODEL="${1:-}"
THREADS="${2:-1}"
shift $(( $# < 2 ? $# : 2 ))
mkdir -p "$WORK/models"
cd "$ROOT"
go build -o "$WORK/plume" ./cmd/plume
if [ -z "$MODEL" ]; then
  MODEL="$WORK/models/synth-Llama-3.2-1B-Q4_K_M.gguf"
  [ -f "$MODEL" ] || go run ./scripts/bench -models-only -only Llama-3.2-1B-Q4_K_M -models "$WORK/models"
fi
go run ./scripts/api-bench -plume "$WORK/plume" -model "$MODEL" -t "$THREADS" "$@"
