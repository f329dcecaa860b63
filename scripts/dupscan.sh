#!/usr/bin/env bash
# Scans the module for repeated code as issue #15 defines it: the non-test, non-generated Go files (a file is
# generated when a "// Code generated ... DO NOT EDIT." line comes before its package clause, Go's convention)
# are copied to a temporary folder, and the `duplicates` command pairs the runs of six or more lines they share,
# the same or of the same shape. It prints duplicates' summary line and its rows (most shared first,
# boilerplate last). Files git tracks and new files it does not ignore are scanned, as they are on disk.
# duplicates passes over import lines, but not the lines of Go's grouped `import ( ... )` block (a bare quoted
# path): the copies have those lines blanked (line numbers kept), so that two files importing the same standard
# packages are not reported as repeated code.
#
#   bash scripts/dupscan.sh                              the scan of the issue (120 rows, 120 s at the most)
#   DUPSCAN_MOST=40 DUPSCAN_SECONDS=60 bash scripts/dupscan.sh
#
# `duplicates` is a tool of the maintainers' workplace, not of CI: where it is not installed the script says so
# and exits 0. Pairs kept on purpose are listed, with their reasons, in docs/ARCHITECTURE.md ("Deliberate
# parallels").
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v duplicates >/dev/null 2>&1; then
	echo "dupscan: the duplicates command is not installed; nothing scanned" >&2
	exit 0
fi
most=${DUPSCAN_MOST:-120}
seconds=${DUPSCAN_SECONDS:-120}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/plume-dupscan.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# generated FILE: true when a "Code generated ... DO NOT EDIT." line precedes the package clause.
generated() {
	awk '/^package /{ exit } /^\/\/ Code generated .* DO NOT EDIT\.$/{ found = 1; exit } END { exit !found }' "$1"
}

git ls-files --cached --others --exclude-standard -- '*.go' | { grep -v '_test\.go$' || true; } | while IFS= read -r f; do
	[ -f "$f" ] || continue # deleted in the working tree
	generated "$f" && continue
	mkdir -p "$tmp/$(dirname "$f")"
	awk '/^import \($/ { inside = 1; print; next } inside && /^\)$/ { inside = 0 } { print (inside ? "" : $0) }' "$f" >"$tmp/$f"
done
duplicates --repo "$tmp" --most "$most" --seconds "$seconds"
