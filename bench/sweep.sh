#!/usr/bin/env bash
# Sweep throughput (issue 13): a sweep of 100 runs over 1M one-minute bars against one run alone,
# and how it grows with runs, bars and threads. Called by bench/run.sh (step 7); also alone:
#   bench/sweep.sh BUILD_DIR   (needs quantd and the bench tools built; see run.sh)
#
# "One run alone" is `quantd backtest --data` on the same bars: its bars per second of wall time
# (the whole process: load, simulate, metrics). A sweep's bar throughput is the bars it simulated
# over its wall time, also the whole process (the bars are loaded once for every run). The stricter
# figure divides by the single run's simulation alone (engine loop, run_seconds), which no amount
# of shared loading can help: only the second worker can.
# Environment: SWEEP_RUNS (median of this many, default 3), BENCH_WORK, BENCH_STRICT=1.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-${BUILD_DIR:-$ROOT/build}}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
WORK=${BENCH_WORK:-$BUILD/bench-work}
REPEAT=${SWEEP_RUNS:-3}
QUANTD=$BUILD/quantd
B=$BUILD/bench
mkdir -p "$WORK"

json() { grep -o "\"$1\":[^,}]*" "$2" | head -n 1 | cut -d: -f2; }
value() { awk -v k="$1" '$1 == k { print $2; exit }' "$2"; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
calc() { awk "BEGIN { printf \"%.6g\", $1 }"; }

strategy=(--strategy builtin:sma_cross --cash 100000000 --commission-bps 1.5 --tax-bps 0 --slippage-bps 0)

# grid N: a grid of about N runs over fast x slow (fast 5.., slow 20.. in steps of 5).
grid() {
  case $1 in
    10) echo "--grid fast=5:9:1 --grid slow=20:25:5" ;;
    50) echo "--grid fast=5:14:1 --grid slow=20:40:5" ;;
    100) echo "--grid fast=5:14:1 --grid slow=20:65:5" ;;
  esac
}

single() {  # single CSV: median wall, median run_seconds of `quantd backtest --data`
  local csv=$1 walls=() runs=()
  for i in $(seq 1 "$REPEAT"); do
    "$B/measure" "$WORK/sw_single.m" "$QUANTD" backtest --data "$csv" --symbol BENCH \
      --param fast=10 --param slow=30 "${strategy[@]}" --json >"$WORK/sw_single.json"
    walls+=("$(value wall_seconds "$WORK/sw_single.m")")
    runs+=("$(json run_seconds "$WORK/sw_single.json")")
  done
  echo "$(printf '%s\n' "${walls[@]}" | median) $(printf '%s\n' "${runs[@]}" | median)"
}

sweep() {  # sweep CSV RUNS THREADS: median wall and bars simulated of `quantd sweep`
  local csv=$1 n=$2 threads=$3 walls=() bars=0
  for i in $(seq 1 "$REPEAT"); do
    # shellcheck disable=SC2046
    "$B/measure" "$WORK/sw_sweep.m" "$QUANTD" sweep --data "$csv" --symbol BENCH $(grid "$n") \
      "${strategy[@]}" --threads "$threads" --max-runs 1000 --json >"$WORK/sw_sweep.json"
    walls+=("$(value wall_seconds "$WORK/sw_sweep.m")")
    bars=$(json bars_simulated "$WORK/sw_sweep.json")
  done
  echo "$(printf '%s\n' "${walls[@]}" | median) $bars $(value max_rss_kib "$WORK/sw_sweep.m")"
}

status=0
printf '\nsweep throughput (sma_cross grid over fast x slow, medians of %s runs; %s cores, load %s)\n' \
  "$REPEAT" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-9s %5s %7s %10s %12s %12s %9s %9s %8s\n' bars runs threads "wall s" "bars sim." "M bars/s" \
  "x single" "x loop" "RSS MiB"
for bars in 100000 1000000; do
  csv=$WORK/sweep_$bars.csv
  [ -s "$csv" ] || "$B/gen_bars" --bars "$bars" --out "$csv"
  read -r s_wall s_run < <(single "$csv")
  single_rate=$(calc "$bars / $s_wall")
  loop_rate=$(calc "$bars / $s_run")
  printf '%-9s %5s %7s %10.3f %12s %12.1f %9s %9s\n' "$bars" 1 "backtest" "$s_wall" "$bars" \
    "$(calc "$single_rate / 1e6")" 1 "$(calc "$single_rate / $loop_rate")"
  for n in 10 50 100; do
    for threads in 1 2; do
      read -r wall simulated rss < <(sweep "$csv" "$n" "$threads")
      rate=$(calc "$simulated / $wall")
      ratio=$(calc "$rate / $single_rate")
      printf '%-9s %5s %7s %10.3f %12s %12.1f %9s %9s %8.0f\n' "$bars" "$n" "$threads" "$wall" \
        "$simulated" "$(calc "$rate / 1e6")" "$ratio" "$(calc "$rate / $loop_rate")" \
        "$(calc "$rss / 1024")"
      if [ "$bars" = 1000000 ] && [ "$n" = 100 ] && [ "$threads" = 2 ]; then
        target_ratio=$ratio
      fi
    done
  done
done
echo
if awk "BEGIN { exit !($target_ratio >= 1.6) }"; then r=pass; else r=FAIL; status=1; fi
printf '%-56s %8s  (must be >= 1.6, issue 13)  %s\n' \
  "sweep of 100 runs on 2 threads, bars/s / one run's bars/s" "$target_ratio" "$r"
[ "${BENCH_STRICT:-0}" = 1 ] && exit $status
exit 0
