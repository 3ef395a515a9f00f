#!/usr/bin/env bash
# run.sh builds cmd/p2pbench in the build variants that decide how
# secp256k1 is implemented on each side, runs each, and prints their
# reports together with every target:
#
#   default       ours in pure Go          vs geth's default build (cgo)
#   nocgo         CGO_ENABLED=0: ours in pure Go vs geth in pure Go
#   libsecp256k1  ours with -tags libsecp256k1 vs geth's default build (cgo)
#
# Usage: ./run.sh [-short | -full] [p2pbench flags...]
#
# -short (the default) runs every case in the default variant and only the
# cases that depend on secp256k1 (crypto/*, rlpx/handshake, server/setup)
# in the other two; it takes about three minutes. -full runs every case in every variant,
# with more and longer samples. Other flags go to p2pbench (e.g.
# -only 'rlpx/' or -reps 3); an -only here applies to every variant.
#
# Environment: OUT is the directory for binaries and reports (default: a new
# temporary directory); VARIANTS selects variants (default: all three; the
# libsecp256k1 one is skipped when libsecp256k1-dev is not installed).
set -euo pipefail
cd "$(dirname "$0")"

mode=-short
args=()
for a in "$@"; do
	case "$a" in
	-short | -full) mode=$a ;;
	*) args+=("$a") ;;
	esac
done
out=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/p2pbench.XXXXXX")}
mkdir -p "$out"
variants=${VARIANTS:-"default nocgo libsecp256k1"}
GO=${GO:-go}

reports=()
for v in $variants; do
	bin="$out/p2pbench-$v"
	case $v in
	default) $GO build -o "$bin" ./cmd/p2pbench ;;
	nocgo) CGO_ENABLED=0 $GO build -o "$bin" ./cmd/p2pbench ;;
	libsecp256k1)
		if [ ! -f /usr/include/secp256k1_recovery.h ]; then
			echo "run.sh: skipping libsecp256k1: libsecp256k1-dev is not installed" >&2
			continue
		fi
		CGO_ENABLED=1 $GO build -tags libsecp256k1 -o "$bin" ./cmd/p2pbench
		;;
	*)
		echo "run.sh: unknown variant $v" >&2
		exit 2
		;;
	esac
	only=()
	if [ "$mode" = -short ] && [ "$v" != default ]; then
		only=(-only '^(crypto/|rlpx/handshake$|server/setup$)')
	fi
	echo "run.sh: running variant $v ($mode)" >&2
	"$bin" "$mode" -q "${only[@]}" "${args[@]}" -json "$out/$v.json" >"$out/$v.txt"
	reports+=("$out/$v.json")
done
if [ ${#reports[@]} -eq 0 ]; then
	echo "run.sh: no variant ran" >&2
	exit 1
fi
"$bin" -merge -json "$out/all.json" "${reports[@]}"
echo "run.sh: reports in $out (all.json, <variant>.json, <variant>.txt)" >&2
