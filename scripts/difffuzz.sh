#!/usr/bin/env bash
# Differential fuzzing against go-ethereum: runs every native fuzz target of
# interop/difffuzz (our decoders and encoders against go-ethereum's, see
# interop/difffuzz/doc.go) for DURATION each, one after the other.
#
# Usage: scripts/difffuzz.sh [DURATION] [TARGET-REGEXP]
#   DURATION       go test -fuzztime: 5m, 1h, or 100000x (default 5m)
#   TARGET-REGEXP  only the targets whose name matches (default: all)
# Environment:
#   PARALLEL  fuzzing workers per target (go test -parallel; default 1)
#   LOGDIR    where each target's full output goes (default a new temp dir)
#
# A target that finds a difference writes the input to
# interop/difffuzz/testdata/fuzz/<Target>/ (then a plain go test replays it)
# and the script goes on with the others; it exits 1 if any failed.
# The last line of each target's log says how many executions it ran.
set -u
cd "$(dirname "$0")/../interop/difffuzz"
duration=${1:-5m}
filter=${2:-.}
parallel=${PARALLEL:-1}
logdir=${LOGDIR:-$(mktemp -d -t difffuzz.XXXXXX)}
mkdir -p "$logdir"

targets=$(grep -ho '^func Fuzz[A-Za-z0-9_]*' ./*_test.go | sed 's/^func //' | sort -u | grep -E "$filter" || true)
if [ -z "$targets" ]; then
	echo "no target matches $filter" >&2
	exit 2
fi
go test -c -o "$logdir/difffuzz.test" . || exit 1
rm -f "$logdir/difffuzz.test"

failed=0
for t in $targets; do
	log="$logdir/$t.log"
	start=$(date +%s)
	echo "== $t for $duration (-parallel $parallel), log $log"
	if go test -timeout 0 -run '^$' -fuzz "^$t\$" -fuzztime "$duration" -parallel "$parallel" . >"$log" 2>&1; then
		status=ok
	else
		status=FAIL
		failed=1
	fi
	end=$(date +%s)
	execs=$(grep -o 'execs: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
	echo "   $status: ${execs:-0} executions in $((end - start))s"
	if [ "$status" = FAIL ]; then
		grep -E -- '--- FAIL|_test.go:|Failing input' "$log" | head -20
	fi
done
echo "logs in $logdir"
exit $failed
