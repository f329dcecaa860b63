#!/usr/bin/env bash
# Regenerates the parity goldens under internal/model/testdata/goldens from
# llama.cpp (flash attention off), three times per model:
#   rows          the prompt in one batch, as llama.cpp evaluates prompts
#                 (its multi-row matmul kernels: llamafile sgemm, repacked
#                 K-quant GEMM);
#   rows_ubatch1  the same tokens one per micro-batch (n_ubatch = 1), i.e.
#                 llama.cpp's single-token decode arithmetic throughout;
#   rows_ubatch1_kvf16  the same with llama.cpp's default F16 KV cache.
# Needs gcc, node/npm and the shared fixtures beside the repository.
# Usage: scripts/goldens/regen.sh [NAME-FILTER]
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
shared=${PLUME_SHARED:-$repo/../shared}
llama=${PLUME_LLAMACPP:-/tmp/plume-llamacpp}
if [ ! -x "$llama/bin/llama-logits" ]; then
  bash "$shared/bench/build_llama_bench.sh" "$llama"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# llama-logits with one token per micro-batch: same source, n_ubatch = 1.
L=$(ls -d "$llama"/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64)
SRC="$llama/llama.cpp-src"
sed 's/cp.n_batch = cp.n_ubatch = n_prompt > 512 ? n_prompt : 512;/cp.n_batch = n_prompt > 512 ? n_prompt : 512; cp.n_ubatch = 1;/' \
  "$shared/bench/llama_logits.c" > "$work/llama_logits_ub1.c"
grep -q 'cp.n_ubatch = 1;' "$work/llama_logits_ub1.c"
gcc -O2 -std=gnu11 -I"$SRC/include" -I"$SRC/ggml/include" "$work/llama_logits_ub1.c" -o "$llama/bin/llama-logits-ub1" \
  -L"$L" -l:"$(cd "$L" && ls libllama.v*.so | head -1)" -l:"$(cd "$L" && ls libggml.v*.so | head -1)" -l:libggml-base.so -Wl,-rpath,"$L"
cd "$repo"
go run ./scripts/goldens/gen -llama-logits "$llama/bin/llama-logits" -llama-logits-ub1 "$llama/bin/llama-logits-ub1" \
  -shared "$shared" -out internal/model/testdata/goldens -work "$work" -only "${1:-}"
