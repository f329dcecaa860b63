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
#   FUZZ_JOBS=2 scripts/fuzz.sh 5      two targets at a time, one worker each
#
# FUZZ_JOBS runs that many targets at once, each with -parallel 1 (default:
# one target at a time with Go's default of one worker per CPU). On a 2-core
# machine FUZZ_JOBS=2 uses the same CPU as the default and halves the wall
# time; every target still fuzzes for MINUTES.
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

jobs=${FUZZ_JOBS:-1}
if ! [[ $jobs =~ ^[1-9][0-9]*$ ]]; then
	echo "FUZZ_JOBS must be a positive integer" >&2
	exit 2
fi
parallel=()
if [ "$jobs" -gt 1 ]; then
	parallel=(-parallel 1)
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# run_one INDEX PKG NAME fuzzes one target and writes its result line to
# $work/INDEX.line (and the failure's log excerpt to $work/INDEX.fail).
run_one() {
	local i=$1 pkg=$2 name=$3 log="$work/$1.log"
	go test "$pkg" -run '^$' -fuzz "^${name}\$" -fuzztime "${seconds}s" \
		-fuzzminimizetime "$minimize" "${parallel[@]}" >"$log" 2>&1
	local rc=$? last execs new result=ok seed
	last=$(grep -E '^fuzz: elapsed' "$log" | tail -1)
	execs=$(sed -nE 's/.*execs: ([0-9]+).*/\1/p' <<<"$last")
	new=$(sed -nE 's/.*new interesting: ([0-9]+).*/\1/p' <<<"$last")
	if [ $rc -ne 0 ]; then
		seed=$(grep -oE 'testdata/fuzz/[^ ]+' "$log" | head -1)
		result="FAIL${seed:+ (seed: $pkg/$seed)}"
		sed -n '/--- FAIL/,$p' "$log" | head -40 | sed 's/^/    /' >"$work/$i.fail"
	fi
	printf '%s %s %s %s %s\n' "${pkg#github.com/plumewriter/plume/}" "$name" "${execs:-0}" "${new:-0}" "$result" >"$work/$i.line"
}

printf '%-48s %-24s %12s %6s  %s\n' PACKAGE TARGET EXECS NEW RESULT
# print_done prints, in order, the result lines that are ready.
next=0
print_done() {
	while [ $next -lt ${#targets[@]} ] && [ -f "$work/$next.line" ]; do
		read -r p n e w r <"$work/$next.line"
		printf '%-48s %-24s %12s %6s  %s\n' "$p" "$n" "$e" "$w" "$r"
		[ -f "$work/$next.fail" ] && cat "$work/$next.fail"
		next=$((next + 1))
	done
}
running=0
for i in "${!targets[@]}"; do
	t=${targets[$i]}
	if [ $running -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
		print_done
	fi
	run_one "$i" "${t% *}" "${t#* }" &
	running=$((running + 1))
done
wait
print_done

failed=0
total_execs=0
for i in "${!targets[@]}"; do
	read -r _ _ e _ r <"$work/$i.line"
	total_execs=$((total_execs + e))
	[[ $r == FAIL* ]] && failed=$((failed + 1))
done
echo "== ${#targets[@]} targets, ${total_execs} execs, ${failed} failed"
[ $failed -eq 0 ]
