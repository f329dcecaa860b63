#!/usr/bin/env bash
# Runs every Fuzz* target of the module for MINUTES each (default 5; a
# fraction such as 0.2 works), one after the other, and keeps going after a
# failure. A failing input is written by `go test -fuzz` into the package's
# testdata/fuzz/<Target>/ directory, where it becomes a regression seed that
# every later `go test` runs: commit it with the fix. The corpus of merely
# interesting inputs stays in Go's cache ($(go env GOCACHE)/fuzz).
#
#   scripts/fuzz.sh [MINUTES]          every target
#   FUZZ_MATCH=Gguf scripts/fuzz.sh 1  targets whose package or name matches
#
# Prints one line per target (package, target, execs, new corpus entries,
# result) and a total; exits 1 if any target failed.
set -uo pipefail
cd "$(dirname "$0")/.."

minutes=${1:-5}
if ! [[ $minutes =~ ^[0-9]+([.][0-9]+)?$ ]]; then
	echo "usage: scripts/fuzz.sh [MINUTES]  (a positive number, e.g. 5 or 0.2)" >&2
	exit 2
fi
seconds=$(awk -v m="$minutes" 'BEGIN { s = int(m * 60 + 0.5); if (s < 1) s = 1; print s }')
# Minimizing a failing input makes it readable, but on a large input it can
# take as long as the fuzzing itself: 30 s is enough for the inputs these
# targets take (all capped), and bounds the script's run time.
minimize=${FUZZ_MINIMIZE:-30s}
match=${FUZZ_MATCH:-}

# `go test -list` prints a package's matching tests, then "ok  <pkg> …".
targets=()
pending=()
while IFS= read -r line; do
	case $line in
	Fuzz*) pending+=("$line") ;;
	ok*)
		pkg=$(awk '{ print $2 }' <<<"$line")
		for name in "${pending[@]}"; do
			if [ -z "$match" ] || [[ "$pkg $name" == *"$match"* ]]; then
				targets+=("$pkg $name")
			fi
		done
		pending=()
		;;
	esac
done < <(go test -list '^Fuzz' ./... 2>&1)

if [ ${#targets[@]} -eq 0 ]; then
	echo "no fuzz targets found" >&2
	exit 1
fi
echo "== ${#targets[@]} fuzz targets, ${seconds}s each (minimize ${minimize})"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
failed=0
total_execs=0
printf '%-48s %-24s %12s %6s  %s\n' PACKAGE TARGET EXECS NEW RESULT
for t in "${targets[@]}"; do
	pkg=${t% *}
	name=${t#* }
	go test "$pkg" -run '^$' -fuzz "^${name}\$" -fuzztime "${seconds}s" -fuzzminimizetime "$minimize" >"$log" 2>&1
	rc=$?
	last=$(grep -E '^fuzz: elapsed' "$log" | tail -1)
	execs=$(sed -nE 's/.*execs: ([0-9]+).*/\1/p' <<<"$last")
	new=$(sed -nE 's/.*new interesting: ([0-9]+).*/\1/p' <<<"$last")
	execs=${execs:-0}
	total_execs=$((total_execs + execs))
	result=ok
	if [ $rc -ne 0 ]; then
		failed=$((failed + 1))
		seed=$(grep -oE 'testdata/fuzz/[^ ]+' "$log" | head -1)
		result="FAIL${seed:+ (seed: $pkg/$seed)}"
	fi
	printf '%-48s %-24s %12s %6s  %s\n' "${pkg#github.com/plumewriter/plume/}" "$name" "$execs" "${new:-0}" "$result"
	if [ $rc -ne 0 ]; then
		sed -n '/--- FAIL/,$p' "$log" | head -40 | sed 's/^/    /'
	fi
done
echo "== ${#targets[@]} targets, ${total_execs} execs, ${failed} failed"
[ $failed -eq 0 ]
