#!/usr/bin/env python3
"""Turns dealcore_bench's JSON lines into the Markdown tables of
docs/performance.md.

    dealcore_bench --deals 1000000 > run.jsonl
    bench/table.py run.jsonl

A question meets its target when dealcore's p50 is at least 10x SQLite's
(50x for the kanban; under 5 us for lookups) and, for lists, its p99 is not
above SQLite's.
"""
import json
import sys


def us(v):
    return f"{v:,.0f}" if v >= 100 else f"{v:.1f}" if v >= 10 else f"{v:.2f}"


def ratio(v):
    return f"{v:.1f}x" if v < 100 else f"{v:,.0f}x"


def verdict(q):
    kind = q["kind"]
    if kind == "lookup":
        ok = q["dealcore_p50_us"] < 5
        return "met" if ok else f"missed: p50 {us(q['dealcore_p50_us'])} us > 5 us"
    need = 50 if kind == "board" else 10
    misses = []
    if q["ratio_p50"] < need:
        misses.append(f"p50 {ratio(q['ratio_p50'])} < {need}x")
    if kind == "list" and q["dealcore_p99_us"] > q["sqlite_p99_us"]:
        misses.append(f"p99 {q['dealcore_p99_us'] / q['sqlite_p99_us']:.1f}x slower")
    return "met" if not misses else "missed: " + ", ".join(misses)


def main(path):
    rows = [json.loads(line) for line in open(path) if line.startswith("{")]
    for r in rows:
        if r.get("metric") == "load":
            print(f"load: {r['n_deals']:,} deals, {r['n_contacts']:,} contacts; dealcore "
                  f"{r['dealcore_contacts_s']:.0f} s for contacts + {r['dealcore_deals_s']:.0f} s for deals "
                  f"({r['dealcore_us_per_deal']:.0f} us a deal)"
                  + (f" + {r['dealcore_archive_s']:.0f} s archiving + {r['dealcore_tasks_s']:.0f} s for "
                     f"{r['n_tasks']:,} tasks" if 'n_tasks' in r else "")
                  + f"; SQLite reference {r['reference_load_s']:.0f} s (bulk insert + indexes + ANALYZE)\n")
        if r.get("metric") == "machine":
            stalls = ""
            if "stall_probe_p50_us" in r:
                stalls = (f"stall probe (50 random reads, 100,000 times) p50 {r['stall_probe_p50_us']:.2f} us, "
                          f"p99 {r['stall_probe_p99_us']:.2f}, p99.9 {r['stall_probe_p999_us']:.1f}, "
                          f"max {r['stall_probe_max_us']:,.0f}, {r['stall_probe_over_10x_of_100000']} over 10x "
                          f"the median; ")
            print(f"machine: calibration (1M std::map inserts) {r['calibration_map_1m_inserts_ms']:,.0f} ms, "
                  f"{stalls}load average {r['load1']}\n")
        if r.get("metric") == "open":
            print(f"open: cold {r['open_cold_ms']:,.0f} ms (CPU {r['open_cold_cpu_ms']:,.0f} ms), warm "
                  f"{r['open_warm_ms']:,.0f} ms (CPU {r['open_warm_cpu_ms']:,.0f} ms); RSS +{r['rss_delta_bytes']/2**20:,.0f} MiB = "
                  f"{r['rss_bytes_per_deal']:,.0f} B/deal; heap +{r['heap_delta_bytes']/2**20:,.0f} MiB = "
                  f"{r['heap_bytes_per_deal']:,.0f} B/deal; files: dealcore {r['dealcore_file_bytes']/2**20:,.0f} MiB, "
                  f"SQLite {r['sqlite_file_bytes']/2**20:,.0f} MiB; load average {r['load1']}\n")
            if "cache_cold_ms" in r:
                print(f"open from the views cache{'' if r['from_cache'] else ' (NOT USED)'}: cold "
                      f"{r['cache_cold_ms']:,.0f} ms (CPU {r['cache_cold_cpu_ms']:,.0f} ms), warm "
                      f"{r['cache_warm_ms']:,.0f} ms (CPU {r['cache_warm_cpu_ms']:,.0f} ms); writing it "
                      f"{r['cache_save_ms']:,.0f} ms, {r['cache_file_bytes']/2**20:,.0f} MiB\n")
            if "stale_cache_open_ms" in r:
                print(f"after {r['stale_writes']:,} writes the cache does not hold"
                      f"{'' if r['stale_from_cache'] else ' (REBUILT, NOT CAUGHT UP)'}: another connection's "
                      f"refresh() {r['refresh_ms']:,.1f} ms; open from the stale cache (warm) "
                      f"{r['stale_cache_open_ms']:,.0f} ms\n")
    print("| question | hits (matches) | dealcore p50 / p99 µs | SQLite p50 / p99 µs | ratio p50 / p99 "
          "| CPU p99 µs dealcore / SQLite | target |")
    print("|---|---|---|---|---|---|---|")
    for q in rows:
        if "q" not in q:
            continue
        hits = f"{q['hits']:,.1f}"
        if "matches" in q:
            hits += f" ({q['matches']:,.0f})"
        print(f"| {q['q']} | {hits} | {us(q['dealcore_p50_us'])} / {us(q['dealcore_p99_us'])} "
              f"| {us(q['sqlite_p50_us'])} / {us(q['sqlite_p99_us'])} "
              f"| {ratio(q['ratio_p50'])} / {ratio(q['ratio_p99'])} "
              f"| {us(q['dealcore_cpu_p99_us'])} / {us(q['sqlite_cpu_p99_us'])} | {verdict(q)} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/dev/stdin")
