#!/usr/bin/env python3
"""Turns a JMH JSON result of the benchmark suite into the tables of docs/benchmarks.md and a plot.

    benchmarks/report.py benchmarks/results/results.json benchmarks/results

writes <dir>/report.md (ratios against protobuf-java and QuickBuffers with their errors, allocation per
operation, per-message cost against batch size, the targets of issue #4) and <dir>/batch-throughput.png
(messages per second against batch size). matplotlib comes from PyPI into benchmarks/target/plot-venv
the first time it is missing.
"""
import json
import math
import os
import subprocess
import sys

CONTENDERS = ["ferruleNative", "ferruleJava", "protobufJava", "quickBuffers"]
# Shown beside the four where measured (ContenderBenchmark only): Ferrule native through the dynamic API.
EXTRA_CONTENDERS = ["ferruleNativeDynamic"]
NAMES = {"ferruleNative": "Ferrule native (typed)", "ferruleJava": "Ferrule pure Java (typed)",
         "ferruleNativeDynamic": "Ferrule native, dynamic API",
         "protobufJava": "protobuf-java", "quickBuffers": "QuickBuffers"}
MESSAGES = [("MarketDataBenchmark", "(a) market data, 63 B"), ("CarBenchmark", "(b) Car, 137 B"),
            ("OtlpTraceBenchmark", "(c) OTLP trace, 100 spans, 18.3 KiB"), ("BlobBenchmark", "(d) 64 KiB bytes field")]
OPERATIONS = [("decode", "decode + read every field"), ("encode", "build + encode"),
              ("batch64", "batch decode of 64 + read")]
PLOT_PYTHON = os.path.join(os.path.dirname(os.path.abspath(__file__)), "target", "plot-venv", "bin", "python")


def load(path):
    results = {}
    for r in json.load(open(path)):
        cls, method = r["benchmark"].split(".")[-2:]
        batch = r.get("params", {}).get("batch")
        m = r["primaryMetric"]
        alloc = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm")
        results[(cls, method, batch)] = {
            "score": m["score"], "error": m["scoreError"] if not math.isnan(m["scoreError"]) else 0.0,
            "unit": m["scoreUnit"], "alloc": alloc["score"] if alloc else None,
            "iteration_ns": iteration_ns(r.get("measurementTime", "1 s"))}
    return results


def iteration_ns(text):
    value, unit = text.split()
    return float(value) * {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[unit]


def bytes_per_iteration(r):
    """Allocation of a whole measurement iteration: JMH's own bookkeeping is a few KB per iteration,
    which shows as many B/op when an operation is slow (few per iteration)."""
    return r["alloc"] * r["iteration_ns"] / r["score"]


def ratio(slow, fast):
    """slow/fast, the speed-up of `fast`, with the relative errors added in quadrature."""
    r = slow["score"] / fast["score"]
    rel = math.hypot(slow["error"] / slow["score"], fast["error"] / fast["score"])
    return r, r * rel


def fmt_time(r):
    s, e = r["score"], r["error"]
    if s >= 10_000:
        return f"{s / 1000:,.1f} ± {e / 1000:,.1f} µs"
    return f"{s:,.0f} ± {e:,.0f} ns"


def fmt_alloc(r):
    a = r["alloc"]
    if a is None:
        return "–"
    return f"{a:,.0f}" if a >= 10 else f"{a:.2f}"


def fmt_ratio(pair):
    return f"**{pair[0]:.2f}×** ± {pair[1]:.2f}"


def contender_tables(results, out):
    out.append("| message | operation | contender | time per op | B/op | vs protobuf-java | vs QuickBuffers |")
    out.append("|---|---|---|---:|---:|---:|---:|")
    for cls, label in MESSAGES:
        for op, op_label in OPERATIONS:
            rows = {c: results.get((cls, f"{op}_{c}", None)) for c in CONTENDERS + EXTRA_CONTENDERS}
            if not all(rows[c] for c in CONTENDERS):
                continue
            for c in CONTENDERS + EXTRA_CONTENDERS:
                r = rows[c]
                if not r:
                    continue
                vs_pb = fmt_ratio(ratio(rows["protobufJava"], r)) if c != "protobufJava" else "1"
                vs_qb = fmt_ratio(ratio(rows["quickBuffers"], r)) if c != "quickBuffers" else "1"
                out.append(f"| {label} | {op_label} | {NAMES[c]} | {fmt_time(r)} | {fmt_alloc(r)} | {vs_pb} | {vs_qb} |")


def batch_table(results, out):
    batches = sorted({int(k[2]) for k in results if k[0] == "BatchSizeBenchmark"})
    if not batches:
        return batches
    out.append("| batch | " + " | ".join(f"{NAMES[c]} ns/message" for c in CONTENDERS) + " |")
    out.append("|---:|" + "---:|" * len(CONTENDERS))
    for b in batches:
        cells = []
        for c in CONTENDERS:
            r = results.get(("BatchSizeBenchmark", c, str(b)))
            cells.append(f"{r['score'] / b:,.1f} ± {r['error'] / b:,.1f}" if r else "–")
        out.append(f"| {b} | " + " | ".join(cells) + " |")
    return batches


def targets(results, out):
    out.append("| target | measured | met |")
    out.append("|---|---|---|")
    for cls, label in MESSAGES:
        for op, goal_pb, goal_qb in [("decode", 4.0, 1.5), ("encode", 3.0, 1.2)]:
            fn = results.get((cls, f"{op}_ferruleNative", None))
            pb = results.get((cls, f"{op}_protobufJava", None))
            qb = results.get((cls, f"{op}_quickBuffers", None))
            if not (fn and pb and qb):
                continue
            r_pb, r_qb = ratio(pb, fn), ratio(qb, fn)
            out.append(f"| {label}: native {op} ≥ {goal_pb:g}× protobuf-java | {r_pb[0]:.2f}× ± {r_pb[1]:.2f} | "
                       f"{'yes' if r_pb[0] >= goal_pb else 'no'} |")
            out.append(f"| {label}: native {op} ≥ {goal_qb:g}× QuickBuffers | {r_qb[0]:.2f}× ± {r_qb[1]:.2f} | "
                       f"{'yes' if r_qb[0] >= goal_qb else 'no'} |")
    def worst(contender):
        rows = [(bytes_per_iteration(v), v["alloc"], k) for k, v in results.items()
                if v["alloc"] is not None and contender in k[1].lower() and k[0] != "NativeCallBenchmark"]
        return max(rows, key=lambda row: row[0]) if rows else None
    ferrule, quick = worst("ferrule"), worst("quickbuffers")
    if ferrule and quick:
        def where(row):
            cls, method, batch = row[2]
            return f"{cls}.{method}" + ("" if batch is None else f", batch {batch}")
        out.append(f"| Ferrule 0 B/op in steady state | most per measurement iteration: Ferrule {ferrule[0]:,.0f} B "
                   f"({ferrule[1]:.2f} B/op, {where(ferrule)}); QuickBuffers, which allocates nothing once warm, "
                   f"{quick[0]:,.0f} B ({quick[1]:.2f} B/op, {where(quick)}) | "
                   f"{'yes' if ferrule[0] <= max(2 * quick[0], 16384) else 'no'} |")
    empty = results.get(("NativeCallBenchmark", "emptyCall", None))
    if empty:
        for b in (32, 64, 512):
            share = empty["score"] / b
            out.append(f"| crossing ≤ 2 ns per message at batch {b} | empty call {empty['score']:.1f} ± "
                       f"{empty['error']:.1f} ns / {b} = {share:.2f} ns | {'yes' if share <= 2 else 'no'} |")


def ensure_matplotlib():
    """Re-runs this script under a venv holding matplotlib (made on first use) when it is missing here."""
    try:
        import matplotlib  # noqa: F401
        return
    except ImportError:
        if sys.executable == PLOT_PYTHON:
            raise
    if not os.path.exists(PLOT_PYTHON):
        subprocess.check_call([sys.executable, "-m", "venv", os.path.dirname(os.path.dirname(PLOT_PYTHON))])
        subprocess.check_call([PLOT_PYTHON, "-m", "pip", "install", "-q", "matplotlib==3.9.2"])
    os.execv(PLOT_PYTHON, [PLOT_PYTHON] + sys.argv)


def plot(results, batches, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for c in CONTENDERS:
        xs, ys, es = [], [], []
        for b in batches:
            r = results.get(("BatchSizeBenchmark", c, str(b)))
            if r:
                per_second = b / r["score"] * 1e9
                xs.append(b)
                ys.append(per_second / 1e6)
                es.append(per_second / 1e6 * r["error"] / r["score"])
        ax.errorbar(xs, ys, yerr=es, marker="o", capsize=3, label=NAMES[c])
    ax.set_xscale("log", base=2)
    ax.set_xticks(batches, [str(b) for b in batches])
    ax.set_xlabel("messages per call (batch size)")
    ax.set_ylabel("million messages decoded + read per second")
    ax.set_title("63-byte market data, gRPC-framed: decode + read throughput")
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main():
    source, out_dir = sys.argv[1], sys.argv[2]
    ensure_matplotlib()
    results = load(source)
    out = ["## Contenders side by side", ""]
    contender_tables(results, out)
    out += ["", "## Per-message cost against batch size (market data, decode + read)", ""]
    batches = batch_table(results, out)
    empty = results.get(("NativeCallBenchmark", "emptyCall", None))
    if empty:
        out += ["", f"Empty native call with (address, length): {fmt_time(empty)}."]
    out += ["", "## Targets (issue #4)", ""]
    targets(results, out)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "report.md"), "w") as f:
        f.write("\n".join(out) + "\n")
    print("\n".join(out))
    if batches:
        plot(results, batches, os.path.join(out_dir, "batch-throughput.png"))


if __name__ == "__main__":
    main()
