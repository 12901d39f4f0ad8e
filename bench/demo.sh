#!/usr/bin/env bash
# Times the whole demo study (release build): load, build, snap, route, coverage, gap areas and
# every output format. Prints each run's wall time and peak memory, then the median.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
cargo build --release --quiet
bin=target/release/lifecircle
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$bin" demo --out "$out" --quiet 2>/dev/null   # warm the file cache
times=()
for i in $(seq "$runs"); do
  /usr/bin/time -o "$out/time.txt" -f "%e %M" "$bin" demo --out "$out" --quiet 2>/dev/null
  line=$(tail -n 1 "$out/time.txt")
  echo "run $i: ${line% *} s wall, ${line#* } KB peak RSS"
  times+=("${line% *}")
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "demo median wall time: $median s over $runs runs"
