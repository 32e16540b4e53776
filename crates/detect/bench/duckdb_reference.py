#!/usr/bin/env python3
"""DuckDB reference for `fanzha bench detect`.

Computes the stage-1 window features the engine keeps per calling number, for every call event
(windows of 1 h, 24 h and 7 d ending at the event): calls, calls shorter than 10 s, night calls
(00:00-06:00 Asia/Shanghai), duration mean and spread over 24 h, and distinct callees over 24 h.
Two formulations, each timed:

* `sliding`: exact sliding windows (`RANGE BETWEEN 1 h / 24 h / 7 d PRECEDING`) and
  `count(DISTINCT callee)`: the textbook SQL.
* `bucketed`: the engine's own definitions, which is what "the same features" means: each window
  covers the bucket of the event and the buckets before it (4 x 15 min, 8 x 3 h, 7 x 1 day,
  aligned on UTC epoch multiples) up to the event itself, and a callee counts towards the distinct
  callees of a window when this caller had not called it within the window's length before (the
  previous call's time taken at minute resolution, as the engine's pair index keeps it).

Prints one JSON line: {"rows": N, "cpu_seconds": C, "rows_per_cpu_s": R, "bucketed": {...}, ...};
`rows_per_cpu_s` is the sliding query's rate.

With `--check FEATURES.csv` (written by `cargo run --release -p fanzha-detect --example
throughput -- EVENTS PEOPLE CALLS.csv FEATURES.csv`: the engine's features after a sample of
calls) it also compares the engine's values with both queries' and reports, per feature, the
share of sampled events that agree (counts exactly, shares and durations within 1e-3 relative).

Usage: duckdb_reference.py CALLS.csv [--threads 1] [--check FEATURES.csv]
"""
import json
import subprocess
import sys
import time


def ensure_duckdb():
    try:
        import duckdb  # noqa: F401
    except ImportError:
        subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", "duckdb"])
    import duckdb
    return duckdb


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    path = sys.argv[1]
    threads = 1
    if "--threads" in sys.argv:
        threads = int(sys.argv[sys.argv.index("--threads") + 1])
    duckdb = ensure_duckdb()
    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    con.execute(
        "CREATE TABLE calls AS SELECT * FROM read_csv(?, header = true, "
        "columns = {'ts': 'BIGINT', 'caller': 'UBIGINT', 'callee': 'UBIGINT', "
        "'duration_s': 'INTEGER', 'cell': 'UINTEGER'})",
        [path],
    )
    rows = con.execute("SELECT count(*) FROM calls").fetchone()[0]
    sliding = """
    SELECT caller, ts,
      count(*)      OVER w1h  AS calls_1h,
      count(*)      OVER w24h AS calls_24h,
      count(*)      OVER w7d  AS calls_7d,
      sum((duration_s < 10)::INT) OVER w24h AS short_24h,
      sum((((ts // 1000 + 28800) % 86400) < 21600)::INT) OVER w24h AS night_24h,
      avg(duration_s) OVER w24h AS duration_mean_24h,
      stddev_pop(duration_s) OVER w24h AS duration_sd_24h,
      count(DISTINCT callee) OVER w24h AS distinct_callees_24h
    FROM calls
    WINDOW
      w1h  AS (PARTITION BY caller ORDER BY ts RANGE BETWEEN 3600000 PRECEDING AND CURRENT ROW),
      w24h AS (PARTITION BY caller ORDER BY ts RANGE BETWEEN 86400000 PRECEDING AND CURRENT ROW),
      w7d  AS (PARTITION BY caller ORDER BY ts RANGE BETWEEN 604800000 PRECEDING AND CURRENT ROW)
    """
    # The frame starts where the oldest bucket of the engine's ring starts.
    bucketed = """
    SELECT caller, ts,
      count(*)      OVER w1h  AS calls_1h,
      count(*)      OVER w24h AS calls_24h,
      count(*)      OVER w7d  AS calls_7d,
      sum((duration_s < 10)::INT) OVER w24h AS short_24h,
      sum((((ts // 1000 + 28800) % 86400) < 21600)::INT) OVER w24h AS night_24h,
      avg(duration_s) OVER w24h AS duration_mean_24h,
      stddev_pop(duration_s) OVER w24h AS duration_sd_24h,
      sum(first_24h::INT) OVER w24h AS distinct_callees_24h
    FROM (
      SELECT *, coalesce(ts - (lag(ts) OVER (PARTITION BY caller, callee ORDER BY ts)
                               // 60000) * 60000 >= 86400000, true) AS first_24h
      FROM calls)
    WINDOW
      w1h  AS (PARTITION BY caller ORDER BY ts
               RANGE BETWEEN (ts - (ts // 900000 - 3) * 900000) PRECEDING AND CURRENT ROW),
      w24h AS (PARTITION BY caller ORDER BY ts
               RANGE BETWEEN (ts - (ts // 10800000 - 7) * 10800000) PRECEDING AND CURRENT ROW),
      w7d  AS (PARTITION BY caller ORDER BY ts
               RANGE BETWEEN (ts - (ts // 86400000 - 6) * 86400000) PRECEDING AND CURRENT ROW)
    """

    def timed(query):
        started = time.perf_counter()
        cpu_started = time.process_time()
        # Materialise the result so the whole computation runs, but keep only a checksum.
        checksum = con.execute(
            f"SELECT count(*), sum(calls_24h), sum(distinct_callees_24h) FROM ({query})"
        ).fetchone()
        seconds = time.perf_counter() - started
        # CPU time of the whole process (user + system, every thread): with threads = 1 this is
        # the one-core cost, comparable with the engine's CPU time on a loaded machine.
        cpu_seconds = time.process_time() - cpu_started
        return {"seconds": seconds, "cpu_seconds": cpu_seconds,
                "rows_per_cpu_s": rows / cpu_seconds if cpu_seconds > 0 else None,
                "checksum": [int(checksum[0]), int(checksum[1] or 0), int(checksum[2] or 0)]}

    exact = timed(sliding)
    same = timed(bucketed)
    result = {"rows": rows, "seconds": exact["seconds"], "cpu_seconds": exact["cpu_seconds"],
              "rows_per_cpu_s": exact["rows_per_cpu_s"], "threads": threads,
              "checksum": exact["checksum"], "bucketed": same, "duckdb": duckdb.__version__}
    if "--check" in sys.argv:
        features = sys.argv[sys.argv.index("--check") + 1]
        result["check"] = {"sliding": check(con, sliding, features),
                           "bucketed": check(con, bucketed, features)}
    print(json.dumps(result))


FEATURES = [
    # (name in the engine's sample, DuckDB expression, exact)
    ("calls_1h", "d.calls_1h", True),
    ("calls_24h", "d.calls_24h", True),
    ("calls_7d", "d.calls_7d", True),
    ("short_call_share_24h", "d.short_24h / d.calls_24h", False),
    ("night_call_share_24h", "d.night_24h / d.calls_24h", False),
    ("duration_mean_24h", "d.duration_mean_24h", False),
    ("duration_sd_24h", "d.duration_sd_24h", False),
    ("distinct_callees_24h", "d.distinct_callees_24h", True),
]


def check(con, query, features):
    """Share of the engine's sampled events whose feature values agree with the query's."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE engine AS SELECT * FROM read_csv(?, header = true)",
        [features],
    )
    agree = []
    for name, expr, exact in FEATURES:
        if exact:
            same = f"e.{name} = {expr}"
        else:
            # Relative 1e-3 (the engine keeps squared durations in f32), absolute 1e-3 near 0.
            same = f"abs(e.{name} - {expr}) <= 1e-3 * greatest(1.0, abs({expr}))"
        agree.append(f"avg(({same})::INT) AS {name}")
    sql = (f"SELECT count(*) AS events, {', '.join(agree)} FROM engine e "
           f"JOIN ({query}) d ON d.caller = e.caller AND d.ts = e.ts")
    row = con.execute(sql).fetchone()
    names = ["events"] + [f[0] for f in FEATURES]
    return dict(zip(names, [int(row[0])] + [round(float(x), 6) for x in row[1:]]))


if __name__ == "__main__":
    main()
