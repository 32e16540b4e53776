"""Reference measurement for the ingest benchmark: polars' read_csv on the same file.

Usage: python3 polars_read_csv.py FILE RUNS
Prints one JSON object: rows, best_s, median_s, cpu_median_s (process CPU time, all
threads), polars version, threads.
Installs polars with pip when it is missing.
"""

import json
import subprocess
import sys
import time

try:
    import polars as pl
except ImportError:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", "polars"])
    import polars as pl


def main() -> None:
    path, runs = sys.argv[1], int(sys.argv[2])
    times = []
    cpu = []
    height = 0
    # One warm-up run (page cache, thread pool), then the measured runs.
    for i in range(runs + 1):
        c0 = time.process_time()
        t0 = time.perf_counter()
        # Every column as text: the file's bad rows (letters in ID numbers, short rows) would
        # make type inference fail, and the validating reader also starts from text.
        df = pl.read_csv(path, infer_schema=False, truncate_ragged_lines=True)
        elapsed = time.perf_counter() - t0
        used = time.process_time() - c0
        height = df.height
        del df
        if i > 0:
            times.append(elapsed)
            cpu.append(used)
    times.sort()
    cpu.sort()
    print(
        json.dumps(
            {
                "rows": height,
                "best_s": times[0],
                "median_s": times[len(times) // 2],
                "cpu_median_s": cpu[len(cpu) // 2],
                "polars": pl.__version__,
                "threads": pl.thread_pool_size(),
            }
        )
    )


if __name__ == "__main__":
    main()
