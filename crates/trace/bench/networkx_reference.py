"""networkx reference for `fanzha bench trace`: the same time-respecting, hop-bounded forward
search as fanzha_trace::reach, on the same sample graph and start points.

Usage: networkx_reference.py EDGES_CSV STARTS_CSV HOP_LIMIT
  EDGES_CSV  from,to,ts,amount_fen (header row)
  STARTS_CSV account,since (header row)
Prints one JSON object: build_s, per_trace_ms, followed (transfers followed per start).

Rule: after round k, arrival[a] is the earliest time a can be reached with at most k
transfers (start: since); after HOP_LIMIT-1 rounds, every transfer out of a reached account
at or after its arrival is followed. Equal timestamps are allowed.
"""
import csv
import json
import subprocess
import sys
import time

try:
    import networkx as nx
except ImportError:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", "networkx"])
    import networkx as nx


def search(g, start, since, hop_limit):
    best = {start: since}
    frontier = [(start, since)]
    for _ in range(1, hop_limit):
        improved = set()
        for u, t in frontier:
            for _, v, ts in g.out_edges(u, data="ts"):
                if ts >= t and ts < best.get(v, float("inf")):
                    best[v] = ts
                    improved.add(v)
        if not improved:
            break
        frontier = [(v, best[v]) for v in sorted(improved)]
    followed = 0
    for u, t in best.items():
        for _, _, ts in g.out_edges(u, data="ts"):
            if ts >= t:
                followed += 1
    return followed


def main():
    edges_csv, starts_csv, hop_limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
    t0 = time.perf_counter()
    g = nx.MultiDiGraph()
    with open(edges_csv, newline="") as f:
        r = csv.reader(f)
        next(r)
        g.add_edges_from((int(a), int(b), {"ts": int(ts)}) for a, b, ts, _ in r)
    build_s = time.perf_counter() - t0
    with open(starts_csv, newline="") as f:
        r = csv.reader(f)
        next(r)
        starts = [(int(a), int(s)) for a, s in r]
    per_trace_ms, followed = [], []
    for a, s in starts:
        t = time.perf_counter()
        n = search(g, a, s, hop_limit) if a in g else 0
        per_trace_ms.append((time.perf_counter() - t) * 1000.0)
        followed.append(n)
    print(json.dumps({"build_s": build_s, "per_trace_ms": per_trace_ms, "followed": followed,
                      "networkx": nx.__version__}))


if __name__ == "__main__":
    main()
