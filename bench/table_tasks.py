#!/usr/bin/env python3
"""bench/table.py plus issue 3's targets: the timeline page under 200 us p50;
the task block held to the list target (10x SQLite's p50). Prints the load
line with the task figures too.

    bench/table_tasks.py run.jsonl
"""
import json
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import table  # noqa: E402

_list_verdict = table.verdict


def verdict(q):
    if q["kind"] == "timeline":
        ok = q["dealcore_p50_us"] < 200
        return "met" if ok else f"missed: p50 {table.us(q['dealcore_p50_us'])} us > 200 us"
    if q["kind"] == "tasks":
        return _list_verdict(dict(q, kind="list"))
    return _list_verdict(q)


def main(path):
    rows = [json.loads(line) for line in open(path) if line.startswith("{")]
    for r in rows:
        if r.get("metric") == "load":
            print(f"load: {r['n_deals']:,} deals, {r['n_contacts']:,} contacts, {r.get('n_tasks', 0):,.0f} tasks; "
                  f"dealcore contacts {r['dealcore_contacts_s']:.1f} s, deals {r['dealcore_deals_s']:.1f} s "
                  f"({r['dealcore_us_per_deal']:.0f} us per deal, bulk), archives {r.get('dealcore_archive_s', 0):.1f} s, "
                  f"tasks {r.get('dealcore_tasks_s', 0):.1f} s ({r.get('dealcore_us_per_task', 0):.0f} us per task), "
                  f"10,000 comments {r.get('dealcore_comments_s', 0):.1f} s; SQLite reference {r['reference_load_s']:.0f} s\n")
    table.verdict = verdict
    table.main(path)


if __name__ == "__main__":
    main(sys.argv[1])
