#!/usr/bin/env bash
# Measures Plume's watermark and rewrites docs/WATERMARK.md with the figures.
# Needs ../shared beside the repository (fixture model, vocabularies, CrowS-Pairs).
# Counts and rates only: nothing here depends on the machine's speed.
set -euo pipefail
cd "$(dirname "$0")/../.."
go run ./scripts/watermark -shared ../shared -out docs/WATERMARK.md "$@"
