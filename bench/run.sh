#!/usr/bin/env bash
# The bar-loading and sma_cross benchmark behind `make bench` (figures in bench/RESULTS.md).
#
# 1. gen_bars writes BARS deterministic 1-minute KRX session bars as CSV.
# 2. minimal_loop (the speed of light: read + minimal parse + SMA(10)/SMA(30) crossover on arrays)
#    and `quantd backtest --data` run RUNS times each, interleaved, under `measure` (wall time,
#    peak RSS); medians are compared.
# 3. The bars are imported with `quantd import-bars` and `quantd backtest --db` runs the same way
#    (issue 13: its wall time must not exceed --data's).
# 4. Both programs' trades CSVs must be identical, entry and exit bar for bar.
# 5. bar_load_bench (Google Benchmark) times CSV parsing and SQLite load/upsert of the bars;
#    result_bench the storing and serving of a 1M-point equity curve.
# 6. live_cycle_bench times one minute's live cycle for 250..2,000 paper sessions.
# 7. bench/sweep.sh: sweep throughput (100 runs over 1M bars on 2 threads against one run alone).
#
# Usage: bench/run.sh [BUILD_DIR]   (the Makefile's `bench` target passes its build folder)
# Environment: BUILD_DIR (when no argument; default build), BARS (1000000), RUNS (11), BENCH_WORK (scratch folder,
# default $BUILD_DIR/bench-work), BENCH_NO_BUILD=1 (use the binaries as they are),
# BENCH_SKIP_GBENCH=1 (skip step 5), BENCH_SKIP_LIVE=1 (skip step 6), BENCH_SKIP_SWEEP=1 (skip
# step 7), BENCH_STRICT=1 (exit 1 when a performance target is
# missed; trades that differ always exit 1).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-${BUILD_DIR:-$ROOT/build}}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
BARS=${BARS:-1000000}
RUNS=${RUNS:-11}
WORK=${BENCH_WORK:-$BUILD/bench-work}
CASH=100000000
BPS=1.5
QUANTD=$BUILD/quantd
B=$BUILD/bench

if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
  cmake --build "$BUILD" --target bench_all -j2 >/dev/null
fi
for t in gen_bars minimal_loop measure; do
  [ -x "$B/$t" ] || { echo "run.sh: $B/$t is missing; build the bench_all target" >&2; exit 2; }
done
have_quantd=1
[ -x "$QUANTD" ] || { have_quantd=0; echo "run.sh: $QUANTD is missing: quantd rows are skipped" >&2; }

mkdir -p "$WORK"
CSV=$WORK/bars.csv
"$B/gen_bars" --bars "$BARS" --out "$CSV"
cat "$CSV" >/dev/null  # every run reads from the page cache

# value KEY FILE: the second field of the line starting with KEY (key/value outputs).
value() { awk -v k="$1" '$1 == k { print $2; exit }' "$2"; }
# json KEY FILE: a number from quantd's --json output.
json() { grep -o "\"$1\":[^,}]*" "$2" | head -n 1 | cut -d: -f2; }
# median of the numbers on stdin
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# calc EXPR: floating-point arithmetic
calc() { awk "BEGIN { printf \"%.6g\", $1 }"; }

common=(--cash "$CASH" --commission-bps "$BPS")
strategy=(--strategy builtin:sma_cross --param fast=10 --param slow=30 --tax-bps 0 --slippage-bps 0)

run_minimal() {  # run_minimal N
  "$B/measure" "$WORK/min_$1.m" "$B/minimal_loop" "$CSV" "${common[@]}" --symbol BENCH \
    --trades-csv "$WORK/trades_minimal.csv" >"$WORK/min_$1.out"
}
run_quantd_csv() {
  "$B/measure" "$WORK/csv_$1.m" "$QUANTD" backtest --data "$CSV" --symbol BENCH "${strategy[@]}" \
    "${common[@]}" --json --trades-csv "$WORK/trades_quantd_csv.csv" >"$WORK/csv_$1.json"
}
run_quantd_db() {
  "$B/measure" "$WORK/db_$1.m" "$QUANTD" backtest --db "$WORK/bench.db" --symbol BENCH \
    --interval 1m "${strategy[@]}" "${common[@]}" --json \
    --trades-csv "$WORK/trades_quantd_db.csv" >"$WORK/db_$1.json"
}

# Warm-up (not counted): loads the binaries and libraries into the page cache.
run_minimal 0
[ $have_quantd = 1 ] && run_quantd_csv 0
if [ $have_quantd = 1 ]; then
  rm -f "$WORK/bench.db" "$WORK/bench.db-wal" "$WORK/bench.db-shm"
  "$B/measure" "$WORK/import.m" "$QUANTD" import-bars --db "$WORK/bench.db" --symbol BENCH \
    --interval 1m "$CSV" >"$WORK/import.out"
  run_quantd_db 0
fi
for i in $(seq 1 "$RUNS"); do
  run_minimal "$i"
  if [ $have_quantd = 1 ]; then
    run_quantd_csv "$i"
    run_quantd_db "$i"
  fi
done

med() {  # med PREFIX KIND KEY: median over runs 1..RUNS
  for i in $(seq 1 "$RUNS"); do
    case $2 in
      m) value "$3" "$WORK/$1_$i.m" ;;
      out) value "$3" "$WORK/$1_$i.out" ;;
      json) json "$3" "$WORK/$1_$i.json" ;;
    esac
  done | median
}

cpu_med() {  # cpu_med PREFIX: median user+sys CPU seconds (less sensitive to a busy machine)
  for i in $(seq 1 "$RUNS"); do
    calc "$(value user_seconds "$WORK/$1_$i.m") + $(value sys_seconds "$WORK/$1_$i.m")"; echo
  done | median
}

best() {  # best PREFIX KIND KEY min|max: the best run (what an idle machine would show)
  for i in $(seq 1 "$RUNS"); do
    case $2 in
      m) value "$3" "$WORK/$1_$i.m" ;;
      out) value "$3" "$WORK/$1_$i.out" ;;
      json) json "$3" "$WORK/$1_$i.json" ;;
    esac
  done | sort -g | if [ "$4" = min ]; then head -n 1; else tail -n 1; fi
}

min_wall=$(med min m wall_seconds)
min_cpu=$(cpu_med min)
min_rss=$(med min m max_rss_kib)
min_loop=$(med min out loop_bars_per_second)
min_parse=$(med min out parse_seconds)
min_read=$(med min out read_seconds)
min_trades=$(value closed_trades "$WORK/min_1.out")

status=0
perf_fail=0
printf '\nquantd bench: %s 1-minute bars, sma_cross(10,30), cash %s KRW, commission %s bp, tax 0, slippage 0\n' "$BARS" "$CASH" "$BPS"
printf 'medians of %s runs each; %s\n\n' "$RUNS" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-38s %14s %14s %14s\n' "" "minimal" "quantd --data" "quantd --db"

if [ $have_quantd = 1 ]; then
  csv_wall=$(med csv m wall_seconds)
  csv_rss=$(med csv m max_rss_kib)
  csv_loop=$(med csv json bars_per_second)
  csv_load=$(med csv json load_seconds)
  csv_run=$(med csv json run_seconds)
  csv_cpu=$(cpu_med csv)
  db_wall=$(med db m wall_seconds)
  db_cpu=$(cpu_med db)
  db_rss=$(med db m max_rss_kib)
  db_loop=$(med db json bars_per_second)
  db_load=$(med db json load_seconds)
  db_run=$(med db json run_seconds)
  csv_trades=$(($(wc -l <"$WORK/trades_quantd_csv.csv") - 1))
  db_trades=$(($(wc -l <"$WORK/trades_quantd_db.csv") - 1))
  printf '%-38s %14.0f %14.0f %14.0f\n' "loop bars/s (one cold pass)" "$min_loop" "$csv_loop" "$db_loop"
  printf '%-38s %14.4f %14.4f %14.4f\n' "read+parse / load seconds" "$(calc "$min_read + $min_parse")" "$csv_load" "$db_load"
  printf '%-38s %14s %14.4f %14.4f\n' "engine run seconds" "-" "$csv_run" "$db_run"
  printf '%-38s %14.4f %14.4f %14.4f\n' "whole process wall seconds" "$min_wall" "$csv_wall" "$db_wall"
  printf '%-38s %14.4f %14.4f %14.4f\n' "whole process CPU seconds (user+sys)" "$min_cpu" "$csv_cpu" "$db_cpu"
  printf '%-38s %14.1f %14.1f %14.1f\n' "peak RSS MiB" "$(calc "$min_rss / 1024")" "$(calc "$csv_rss / 1024")" "$(calc "$db_rss / 1024")"
  printf '%-38s %14s %14s %14s\n' "closed trades" "$min_trades" "$csv_trades" "$db_trades"
  printf '%-38s %14s %14.4f %14s\n' "import-bars wall seconds (1 run)" "-" "$(value wall_seconds "$WORK/import.m")" "-"

  loop_ratio=$(calc "$csv_loop / $min_loop")
  wall_ratio=$(calc "$csv_wall / $min_wall")
  rss_ratio=$(calc "$csv_rss / $min_rss")
  verdict() {  # verdict NAME VALUE OP LIMIT
    if awk "BEGIN { exit !($2 $3 $4) }"; then r=pass; else r=FAIL; perf_fail=1; fi
    printf '%-56s %8s  (must be %s %s)  %s\n' "$1" "$2" "$3" "$4" "$r"
  }
  echo
  verdict "sma_cross loop bars/s / minimal loop bars/s (issue 13)" "$loop_ratio" ">=" 0.5
  verdict "quantd backtest --data wall / minimal wall" "$wall_ratio" "<=" 2
  verdict "quantd backtest --data peak RSS / minimal peak RSS" "$rss_ratio" "<=" 1.5
  # Issue 13 (columnar bars): a run on stored bars at most as slow as the same run on the CSV.
  verdict "issue 13: quantd backtest --db wall / --data wall" "$(calc "$db_wall / $csv_wall")" "<=" 1
  printf '%-56s %8s\n' "quantd backtest --data CPU / minimal CPU" "$(calc "$csv_cpu / $min_cpu")"
  printf '%-56s %8s\n' "best run: loop bars/s ratio" "$(calc "$(best csv json bars_per_second max) / $(best min out loop_bars_per_second max)")"
  printf '%-56s %8s\n' "best run: --data wall ratio" "$(calc "$(best csv m wall_seconds min) / $(best min m wall_seconds min)")"
  printf '%-56s %8s\n' "best run: minimal wall, quantd --data wall (s)" "$(best min m wall_seconds min), $(best csv m wall_seconds min)"
  printf '%-56s %8s\n' "quantd backtest --db wall / minimal wall" "$(calc "$db_wall / $min_wall")"
  printf '%-56s %8s\n' "quantd backtest --db peak RSS / minimal peak RSS" "$(calc "$db_rss / $min_rss")"

  echo
  for which in csv db; do
    f=$WORK/trades_quantd_$which.csv
    if cmp -s "$WORK/trades_minimal.csv" "$f"; then
      echo "trades of quantd --$which: identical to the minimal loop ($min_trades trades)"
    else
      echo "trades of quantd --$which: DIFFER from the minimal loop; first differences:"
      diff "$WORK/trades_minimal.csv" "$f" | head -n 10 || true
      status=1
    fi
  done
else
  printf '%-38s %14.0f\n' "loop bars/s (one cold pass)" "$min_loop"
  printf '%-38s %14.4f\n' "read+parse seconds" "$(calc "$min_read + $min_parse")"
  printf '%-38s %14.4f\n' "whole process wall seconds" "$min_wall"
  printf '%-38s %14.4f\n' "whole process CPU seconds (user+sys)" "$min_cpu"
  printf '%-38s %14.1f\n' "peak RSS MiB" "$(calc "$min_rss / 1024")"
  printf '%-38s %14s\n' "closed trades" "$min_trades"
fi

if [ "${BENCH_SKIP_GBENCH:-0}" != 1 ] && [ -x "$B/bar_load_bench" ]; then
  echo
  echo "bar_load_bench (Google Benchmark, always 1M bars):"
  "$B/bar_load_bench" --benchmark_counters_tabular=true 2>&1 | grep -v '^\*\*\*'
fi

if [ "${BENCH_SKIP_GBENCH:-0}" != 1 ] && [ -x "$B/result_bench" ]; then
  echo
  echo "result_bench (Google Benchmark, a 1M-point equity curve stored and served):"
  "$B/result_bench" --benchmark_counters_tabular=true 2>&1 | grep -v '^\*\*\*'
fi

if [ "${BENCH_SKIP_GBENCH:-0}" != 1 ] && [ -x "$B/indicators_bench" ]; then
  echo
  echo "indicators_bench (Google Benchmark, updates per second):"
  "$B/indicators_bench" 2>&1 | grep -v '^\*\*\*'
fi

if [ -x "$B/script_bench" ]; then
  echo
  echo "script_bench (strategy language vs native sma_cross on the same bars):"
  "$B/script_bench" --runs 5 2>&1
fi

if [ "${BENCH_SKIP_LIVE:-0}" != 1 ] && [ -x "$B/live_cycle_bench" ]; then
  echo
  echo "live_cycle_bench (one minute's live cycle, tick to last order journaled; 30 minutes, one"
  echo "worker, the database in $WORK/live):"
  for cfg in "250 200" "1000 200" "1000 50" "2000 200"; do
    set -- $cfg
    "$B/live_cycle_bench" --sessions "$1" --symbols "$2" --minutes 30 --workers 1 \
      --dir "$WORK/live" >"$WORK/live_$1_$2.out" 2>&1 || { cat "$WORK/live_$1_$2.out"; status=1; }
    printf '  %5s sessions %4s symbols: cycle ms median %7s  p95 %7s  max %7s  orders/cycle %s\n' \
      "$1" "$2" "$(value cycle_ms_median "$WORK/live_$1_$2.out")" \
      "$(value cycle_ms_p95 "$WORK/live_$1_$2.out")" "$(value cycle_ms_max "$WORK/live_$1_$2.out")" \
      "$(value orders_per_cycle_median "$WORK/live_$1_$2.out")"
  done
fi

if [ "${BENCH_SKIP_SWEEP:-0}" != 1 ] && [ $have_quantd = 1 ]; then
  BENCH_WORK=$WORK "$ROOT/bench/sweep.sh" "$BUILD" || perf_fail=1
fi

[ "${BENCH_STRICT:-0}" = 1 ] && [ $perf_fail = 1 ] && status=1
exit $status
