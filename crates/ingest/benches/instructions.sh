#!/usr/bin/env bash
# Instructions per row of the validating import and of polars' read_csv, counted by valgrind
# (cachegrind, no cache simulation): a figure that does not move with the load of a shared
# machine, where wall-clock ratios swing by ±20 %. Each side reads a 200,000-row and a
# 400,000-row file of the benchmark's kind; the difference of the two counts, per extra row,
# leaves out start-up (reference tables, the Python interpreter) and is what a row costs.
#
# Usage: crates/ingest/benches/instructions.sh
# Needs valgrind and python3 with polars (installed with pip when missing).
set -euo pipefail
cd "$(dirname "$0")/../../.."
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)"; exit 1; }
python3 -c "import polars" 2>/dev/null || python3 -m pip install --quiet polars
bench=$(cargo bench -p fanzha-ingest --no-run --message-format=json 2>/dev/null \
  | python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "ingest" and "bench" in m["target"]["kind"]:
        print(m["executable"])')
py=$(python3 -c 'import sys; print(sys.executable)')
dir=${TMPDIR:-/tmp}/fanzha-ingest-bench
count() { valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$@" 2>&1 >/dev/null \
  | sed -n 's/.*I *refs: *//p' | tr -d ,; }
declare -A ours theirs
for rows in 200000 400000; do
  # Generate the file first (the bench writes it when missing), outside the count.
  FANZHA_BENCH_ROWS=$rows FANZHA_BENCH_RUNS=1 FANZHA_BENCH_ROUNDS=1 FANZHA_BENCH_SKIP_POLARS=1 "$bench" --bench >/dev/null
done
for rows in 200000 400000; do
  # One import (RUNS=1 imports twice: the warm-up and the measured run), on one thread.
  ours[$rows]=$(RAYON_NUM_THREADS=1 FANZHA_BENCH_ROWS=$rows FANZHA_BENCH_RUNS=1 FANZHA_BENCH_ROUNDS=1 FANZHA_BENCH_SKIP_POLARS=1 count "$bench" --bench)
  theirs[$rows]=$(POLARS_MAX_THREADS=1 count "$py" -c "import polars as pl, sys
pl.read_csv(sys.argv[1], infer_schema=False, truncate_ragged_lines=True)" "$dir/people_${rows}_seed7.csv")
done
python3 - "${ours[200000]}" "${ours[400000]}" "${theirs[200000]}" "${theirs[400000]}" <<'PY'
import json, sys
o1, o2, t1, t2 = map(int, sys.argv[1:])
ours = (o2 - o1) / (2 * 200_000)      # two imports per bench run
theirs = (t2 - t1) / 200_000
print(f"fanzha-ingest  {ours:8.0f} instructions per row (parse + validate + duplicates + quarantine)")
print(f"polars         {theirs:8.0f} instructions per row (read_csv, all columns text)")
print(f"ratio          polars / fanzha = {theirs / ours:.2f}x (above 1: fanzha does less work per row)")
print(json.dumps({"fanzha_instructions_per_row": round(ours), "polars_instructions_per_row": round(theirs), "ratio": round(theirs / ours, 3)}))
PY
