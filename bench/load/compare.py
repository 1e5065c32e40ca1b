"""Compares two runs of bench/load/run.py (issue 13): per page, single-client p50 and SQL time at each size, the
SQL time ratio, and the throughput share of the home page at the highest level of the bigger run.

    python bench/load/compare.py var/bench-load-100k.json var/bench-load-1m.json
"""
import json
import sys


def load(path):
    return {(r["page"], r["clients"]): r for r in json.load(open(path, encoding="utf-8"))}


def main():
    small_path, big_path = sys.argv[1:3]
    small, big = load(small_path), load(big_path)
    top = max(c for _, c in big)
    pages = list(dict.fromkeys(p for p, _ in big))
    print(f"| page | p50 1 client (small) | p50 1 client (big) | SQL ms (small) | SQL ms (big) | SQL big ÷ small "
          f"| statements | × home at {top} clients (big) | errors (big) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for page in pages:
        s, b = small.get((page, 1)), big[(page, 1)]
        home = big[("home", top)]["rps"]
        errors = sum(big[(page, c)]["errors"] for p, c in big if p == page)
        ratio = b["sql_ms"] / s["sql_ms"] if s and s["sql_ms"] else float("nan")
        print(f"| {page} | {s['p50_ms']:.0f} | {b['p50_ms']:.0f} | {s['sql_ms']:.1f} | {b['sql_ms']:.1f} | "
              f"{ratio:.2f} | {b['sql_queries']:.0f} | {big[(page, top)]['rps'] / home:.2f} | {errors} |")


if __name__ == "__main__":
    main()
