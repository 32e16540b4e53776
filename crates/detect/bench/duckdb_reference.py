#!/usr/bin/env python3
"""DuckDB reference for `fanzha bench detect`.

Computes the same stage-1 window features the engine keeps per calling number, for every call
event (sliding windows of 1 h, 24 h and 7 d ending at the event): calls, calls shorter than
10 s, night calls (00:00-06:00 Asia/Shanghai), duration mean and spread over 24 h, and distinct
callees over 24 h. Prints one JSON line: {"rows": N, "seconds": S, "cpu_seconds": C, "rows_per_cpu_s": R, ...}.

Usage: duckdb_reference.py CALLS.csv [--threads 1]
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
    query = """
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
    started = time.perf_counter()
    cpu_started = time.process_time()
    # Materialise the result so the whole computation runs, but keep only a checksum.
    checksum = con.execute(
        f"SELECT count(*), sum(calls_24h), sum(distinct_callees_24h) FROM ({query})"
    ).fetchone()
    seconds = time.perf_counter() - started
    # CPU time of the whole process (user + system, every thread): with threads = 1 this is the
    # one-core cost, comparable with the engine's CPU time on a loaded machine.
    cpu_seconds = time.process_time() - cpu_started
    print(json.dumps({"rows": rows, "seconds": seconds, "cpu_seconds": cpu_seconds,
                      "rows_per_cpu_s": rows / cpu_seconds if cpu_seconds > 0 else None,
                      "threads": threads,
                      "checksum": [int(checksum[0]), int(checksum[1] or 0), int(checksum[2] or 0)],
                      "duckdb": duckdb.__version__}))


if __name__ == "__main__":
    main()
