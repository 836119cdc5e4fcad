#!/usr/bin/env bash
# Samples a Nabla.Bench workload with Linux perf and prints where the time goes, by JIT-compiled method.
#   tools/perf-profile.sh [--within FRAME] [--top N] -- <Nabla.Bench arguments>
#   e.g. tools/perf-profile.sh --within TrainingStep::Run -- cnn3-epoch --threads 2 --data ../shared/data/fashion-mnist --limit 3200
# --within keeps only the samples whose stack contains FRAME (TrainingStep::Run: the training step on the calling
# thread, without data loading or evaluation); the worker threads' samples are the ones under WorkerPool+Worker::Loop.
# Prints the top N methods by exclusive and by inclusive share of the kept samples.
# Why perf and not dotnet-trace: the EventPipe sampler stops threads at GC safe points, so its leaves pile up on
# helpers like Buffer.ZeroMemoryInternal (20 % of a cnn3 step there, under 1 % here); perf samples the instruction
# pointer. DOTNET_PerfMapEnabled=1 writes /tmp/perf-PID.map so perf can name JIT-compiled code, and
# DOTNET_EnableWriteXorExecute=0 keeps that code at the addresses the map names.
# Needs: perf (Debian: apt-get install linux-perf) and /usr/bin/python3; the bench built in Release.
set -euo pipefail
cd "$(dirname "$0")/.."
within="" top=30
while [[ $# -gt 0 && "$1" != "--" ]]; do
  case "$1" in
    --within) within="$2"; shift 2;;
    --top) top="$2"; shift 2;;
    *) echo "perf-profile: unknown option $1 (usage: tools/perf-profile.sh [--within FRAME] [--top N] -- ARGS)" >&2; exit 2;;
  esac
done
[[ "${1:-}" == "--" ]] && shift
[[ $# -gt 0 ]] || { echo "perf-profile: no Nabla.Bench arguments after --" >&2; exit 2; }
command -v perf >/dev/null || { echo "perf-profile: perf not found (apt-get install linux-perf)" >&2; exit 2; }
bench=bench/Nabla.Bench/bin/Release/net10.0/Nabla.Bench.dll
[[ -f "$bench" ]] || dotnet build bench/Nabla.Bench -c Release -nologo -v q >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 perf record -q -F 999 -g -o "$out/perf.data" -- dotnet "$bench" "$@" >&2
perf script -i "$out/perf.data" -F comm,tid,ip,sym 2>/dev/null > "$out/stacks.txt"
/usr/bin/python3 - "$out/stacks.txt" "$within" "$top" <<'EOF'
import collections, re, sys
path, within, top = sys.argv[1], sys.argv[2], int(sys.argv[3])

def name(sym):
    # "instance void [Nabla] Nabla.Kernels.Gemm::Sgemm(...)[Optimized]" -> "Nabla.Kernels.Gemm::Sgemm"
    sym = re.sub(r'\[(Optimized|OptimizedTier1|QuickJitted|InstrumentedTier|Tier0|Tier1)[^\]]*\]', '', sym)
    sym = re.sub(r'\(.*', '', sym)
    return re.sub(r'^(instance )?\S+ \[[^\]]+\] ', '', sym).strip()

samples, stack = [], None
for line in open(path):
    line = line.rstrip('\n')
    if not line:
        if stack: samples.append(stack)
        stack = None
    elif line[0] not in ' \t':
        stack = []
    elif stack is not None:
        parts = line.strip().split(' ', 1)
        stack.append(name(parts[1]) if len(parts) > 1 else parts[0])
if stack: samples.append(stack)
kept = [s for s in samples if not within or any(within in f for f in s)]
if not kept: sys.exit(f"perf-profile: no samples{' within ' + within if within else ''}")
n = len(kept)
exclusive = collections.Counter(s[0] for s in kept)
inclusive = collections.Counter(f for s in kept for f in set(s))
print(f"{n} samples kept of {len(samples)}{' (within ' + within + ')' if within else ''}")
print("exclusive")
for f, c in exclusive.most_common(top): print(f"  {100 * c / n:5.1f} %  {f[:140]}")
print("inclusive")
for f, c in [(f, c) for f, c in inclusive.most_common() if f.startswith('Nabla.')][:top]: print(f"  {100 * c / n:5.1f} %  {f[:140]}")
EOF
