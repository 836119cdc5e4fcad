#!/usr/bin/python3
"""Aggregates bench/run.sh's raw outputs: medians per side, ratio Nabla/PyTorch and speedup
(> 1 means Nabla is better whatever the direction of the unit), printed as a table and written as JSON.

usage: report.py RAW_DIR OUT_JSON workload.tN ...
Each raw file holds lines `RESULT metric value unit better` (better: higher | lower | parity).
"""
import glob
import json
import math
import os
import platform
import re
import subprocess
import sys


def median(v):
    s = sorted(v)
    n = len(s)
    return s[n // 2] if n % 2 else 0.5 * (s[n // 2 - 1] + s[n // 2])


def read(raw, key, side):
    runs = {}
    for path in sorted(glob.glob(os.path.join(raw, f"{key}.{side}.*.txt"))):
        for line in open(path):
            if line.startswith("RESULT "):
                _, name, value, unit, better = line.split()
                runs.setdefault(name, {"unit": unit, "better": better, "runs": []})["runs"].append(float(value))
    return runs


# Variables that change which vector instructions either side uses; a run made with one set is not comparable with
# a run made without it, so the report records them.
ISA_VARIABLES = ("DOTNET_EnableAVX512", "DOTNET_EnableAVX2", "ONEDNN_MAX_CPU_ISA", "ATEN_CPU_CAPABILITY",
                 "OPENBLAS_CORETYPE")


def machine():
    info = {}
    for line in open("/proc/cpuinfo"):
        if ":" in line:
            key, value = line.split(":", 1)
            info.setdefault(key.strip(), value.strip())
    cpu = info.get("model name", "?")
    def run(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()
        except Exception:
            return "?"
    return {"cpu": cpu, "cores": os.cpu_count(), "dotnet": run(["dotnet", "--version"]),
            "torch": run(["/usr/bin/python3", "-c", "import torch; print(torch.__version__)"]),
            "blas": os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3"), "kernel": platform.release(),
            "cpu_family_model": f"{info.get('cpu family', '?')}/{info.get('model', '?')}",
            "avx512": "avx512f" in info.get("flags", "").split(),
            "openblas_core": os.environ.get("BENCH_OPENBLAS_CORE", "?"),  # found once by run.sh
            "isa_environment": {k: os.environ[k] for k in ISA_VARIABLES if k in os.environ}}


def main():
    raw, out, keys = sys.argv[1], sys.argv[2], sys.argv[3:]
    result = {"machine": machine(), "workloads": {}}
    print(f"\n{'workload':<22} {'metric':<30} {'Nabla':>12} {'PyTorch':>12} {'unit':<10} {'Nabla/PyT':>9} {'speedup':>8}")
    for key in keys:
        workload, threads = key.rsplit(".t", 1)
        nabla, peer = read(raw, key, "nabla"), read(raw, key, "peer")
        metrics = {}
        for name, n in nabla.items():
            p = peer.get(name)
            entry = {"nabla": median(n["runs"]), "peer": median(p["runs"]) if p else None, "unit": n["unit"],
                     "better": n["better"], "runs": {"nabla": n["runs"], "peer": p["runs"] if p else []}}
            if p and entry["peer"]:
                entry["ratio"] = entry["nabla"] / entry["peer"]
                entry["speedup"] = (entry["ratio"] if n["better"] == "higher"
                                    else 1 / entry["ratio"] if n["better"] == "lower" and entry["nabla"] else None)
            else:
                entry["ratio"] = entry["speedup"] = None
            metrics[name] = entry
        if workload == "sgemm" and metrics and all(m["peer"] for m in metrics.values()):
            g = lambda side: math.exp(sum(math.log(m[side]) for m in metrics.values()) / len(metrics))
            metrics = {"geomean": {"nabla": g("nabla"), "peer": g("peer"), "unit": "GFLOP/s", "better": "higher",
                                   "ratio": g("nabla") / g("peer"), "speedup": g("nabla") / g("peer"), "runs": {}}, **metrics}
        if not metrics:
            continue
        primary = next(iter(metrics.values()))
        result["workloads"][key] = {"workload": workload, "threads": int(threads), "nabla": primary["nabla"],
                                    "peer": primary["peer"], "unit": primary["unit"], "better": primary["better"],
                                    "ratio": primary["ratio"], "speedup": primary["speedup"], "runs": primary["runs"],
                                    "metrics": metrics}
        for name, m in metrics.items():
            fmt = lambda v: "-" if v is None else f"{v:.4g}"
            print(f"{key:<22} {name:<30} {fmt(m['nabla']):>12} {fmt(m['peer']):>12} {m['unit']:<10} "
                  f"{fmt(m['ratio']):>9} {fmt(m['speedup']):>8}")
    print("speedup > 1: Nabla better (throughput: Nabla/PyTorch; time, latency, memory: PyTorch/Nabla)")
    for key, w in result["workloads"].items():
        # Partial-epoch workloads (cnn-epoch --limit N) report seconds scaled to the full epoch.
        timed = w["metrics"].get("timed_images")
        if timed:
            w["scaled_from_images"] = int(timed["nabla"])
            print(f"{key}: seconds = time for the first {int(timed['nabla'])} images (shuffled) x 60000 / {int(timed['nabla'])}")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump(result, f, indent=1)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
