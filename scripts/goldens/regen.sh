#!/usr/bin/env bash
# Regenerates the parity goldens under internal/model/testdata/goldens from
# llama.cpp (flash attention off, F32 KV cache). Needs gcc, node/npm and the
# shared fixtures beside the repository. Usage: scripts/goldens/regen.sh [NAME-FILTER]
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
shared=${PLUME_SHARED:-$repo/../shared}
llama=${PLUME_LLAMACPP:-/tmp/plume-llamacpp}
if [ ! -x "$llama/bin/llama-logits" ]; then
  bash "$shared/bench/build_llama_bench.sh" "$llama"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$repo"
go run ./scripts/goldens/gen -llama-logits "$llama/bin/llama-logits" -shared "$shared" \
  -out internal/model/testdata/goldens -work "$work" -only "${1:-}"
