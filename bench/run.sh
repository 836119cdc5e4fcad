#!/usr/bin/env bash
# Runs Nabla's benchmark workloads side by side with their PyTorch twins and reports medians and
# ratios. Each repetition runs Nabla and the twin back to back (order swapped every repetition) so
# that load from other processes on this shared machine hits both sides alike.
#
# usage: bench/run.sh [-n REPS] [workload[:threads] ...]
#   default workloads: sgemm:1 sgemm:2 mlp-epoch:1 mlp-epoch:2 infer-latency:1 infer-latency:2 infer-throughput:1 infer-throughput:2
#                      peak-rss:1 alloc-per-step:1 cnn-epoch:1 cnn-epoch:2 lstm-step:1 lstm-step:2 gru-step:1 gru-step:2
#                      cnn3-epoch:1 cnn3-epoch:2 gcn-epochs:1 gcn-epochs:2
#   cnn-epoch times 12,800 images and reports seconds scaled to the 60,000-image epoch.
#   cnn3-epoch is the same recipe on a 3x3-convolution net (conv3-32 x2, pool, conv3-64 x2,
#   pool, 3136-128-10), also timed on 12,800 images and scaled.
#   lstm-step / gru-step time one training step of a recurrent classifier on random data (no data set).
#   gcn-epochs times 200 full-batch epochs of the 2-layer GCN on ../shared/data/debian-packages.tsv.gz
#   (loading excluded) and reports the test accuracy and peak RSS beside PyTorch's.
#   also: encoder-step (a transformer encoder layer's training step) and generate (100 tokens with
#   and without the key/value cache; no twin, the ratio is Nabla's own).
#   mlp-epoch-ddp:N (not in the default list) trains mlp-epoch as N processes of 1 thread each: Nabla under
#   mpirun (DistributedDataParallel over Open MPI), the twin with PyTorch's DDP over gloo.
#   text-epoch (not a default) times one epoch of the seed text model on the Debian descriptions (section); its twin
#   reads the token ids Nabla.Bench text-export writes, so both train on the same vocabulary and rows.
# Writes bench/results/latest.json and raw outputs under bench/results/raw/.
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=5
if [[ "${1:-}" == "-n" ]]; then REPS=$2; shift 2; fi
SPECS=("$@")
if [[ ${#SPECS[@]} -eq 0 ]]; then
  SPECS=(sgemm:1 sgemm:2 mlp-epoch:1 mlp-epoch:2 infer-latency:1 infer-latency:2 infer-throughput:1 infer-throughput:2 peak-rss:1 alloc-per-step:1 cnn-epoch:1 cnn-epoch:2
         lstm-step:1 lstm-step:2 gru-step:1 gru-step:2 cnn3-epoch:1 cnn3-epoch:2 gcn-epochs:1 gcn-epochs:2)
fi
PY=/usr/bin/python3
DATA=../shared/data/fashion-mnist
NABLA=bench/Nabla.Bench/bin/Release/net10.0/Nabla.Bench.dll
RAW=bench/results/raw

# --- dependencies -----------------------------------------------------------------------------
# Debian's python3-torch calls the generic libblas.so.3; without libopenblas0-openmp that is the
# reference BLAS and every matmul is ~17x slower, which would make any comparison meaningless.
PKGS=(python3-torch python3-numpy libopenblas0-openmp)
missing=()
for p in "${PKGS[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p"); done
if [[ ${#missing[@]} -gt 0 ]]; then
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  echo "installing ${missing[*]}"
  $SUDO apt-get update
  $SUDO apt-get install -y "${missing[@]}"
fi
blas=$(realpath /usr/lib/x86_64-linux-gnu/libblas.so.3)
if [[ "$blas" != *openblas* ]]; then
  echo "libblas.so.3 points at $blas, not OpenBLAS; fix with: update-alternatives --config libblas.so.3-x86_64-linux-gnu" >&2
  exit 1
fi
# Check what torch really loads, not just the alternatives link.
$PY - <<'PYEOF'
import torch, sys
torch.mm(torch.ones(64, 64), torch.ones(64, 64))
libs = open("/proc/self/maps").read()
if "openblas" not in libs:
    sys.exit("torch did not load OpenBLAS (reference BLAS would be ~17x slower); install libopenblas0-openmp")
PYEOF
# OpenBLAS picks its kernels for the CPU it finds. An inherited OPENBLAS_CORETYPE (this project's machines set Haswell
# for every process) or OPENBLAS_L2_SIZE would hold the peer to other kernels than a user of the same CPU gets: on the
# Zen 5 host, Haswell's AVX2 SGEMM runs 1024^3 at 85 GFLOP/s, the detected Cooperlake (AVX-512) kernels at 135.
# BENCH_KEEP_BLAS_ENV=1 keeps them (e.g. OPENBLAS_CORETYPE=Haswell for a both-sides-AVX2 run).
[[ -n "${BENCH_KEEP_BLAS_ENV:-}" ]] || unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
# OpenBLAS names its kernel set ("Core: <name>") at load when OPENBLAS_VERBOSE=2; report.py records it.
BENCH_OPENBLAS_CORE=$(OPENBLAS_VERBOSE=2 $PY -c 'import torch; torch.mm(torch.ones(8, 8), torch.ones(8, 8))' 2>&1 | sed -n 's/^Core: *//p' | head -1)
export BENCH_OPENBLAS_CORE=${BENCH_OPENBLAS_CORE:-?}
echo "OpenBLAS kernels: $BENCH_OPENBLAS_CORE"
[[ -d "$DATA" ]] || { echo "Fashion-MNIST not found at $DATA (expected ../shared/data relative to the repository root)" >&2; exit 1; }

# --- build ------------------------------------------------------------------------------------
dotnet build bench/Nabla.Bench -c Release -nologo -v q >/dev/null

# --- run --------------------------------------------------------------------------------------
mkdir -p "$RAW"
rm -f "$RAW"/*.txt
ran=()
for spec in "${SPECS[@]}"; do
  w=${spec%%:*}; t=${spec#*:}; [[ "$t" == "$spec" ]] && t=1
  extra=()
  case "$w" in
    sgemm) extra=(--filter "mlp,square 512");;
    # A full CNN epoch costs minutes per side on this machine: time the first 12,800 images
    # (100 batches, shuffled) and scale to 60,000; both sides print measured and scaled time.
    cnn-epoch|cnn3-epoch) extra=(--limit 12800);;
  esac
  nabla_args=("$w" --threads "$t"); peer_args=(--threads "$t"); launch=(dotnet)
  if [[ "$w" == mlp-epoch-ddp ]]; then
    command -v mpirun >/dev/null || { echo "mlp-epoch-ddp needs Open MPI: apt-get install openmpi-bin" >&2; exit 1; }
    launch=(env TERM=dumb mpirun -q --allow-run-as-root --oversubscribe -np "$t" dotnet)
    nabla_args=("$w" --threads 1); peer_args=(--threads 1 --processes "$t")
  fi
  case "$w" in
    sgemm|encoder-step|generate) ;;   # no data set
    # The twin trains on the token ids Nabla prepares (written once per run; the Nabla side reads the TSV itself).
    text-epoch)
      [[ -f "$RAW/text-epoch.rows.txt" ]] || dotnet "$NABLA" text-export --out "$RAW/text-epoch.rows.txt" >/dev/null
      peer_args+=(--data "$RAW/text-epoch.rows.txt");;
    gcn-epochs) nabla_args+=(--data ../shared/data); peer_args+=(--data ../shared/data);;
    *) nabla_args+=(--data "$DATA"); peer_args+=(--data "$DATA");;
  esac
  for ((r = 1; r <= REPS; r++)); do
    sides=(nabla peer); (( r % 2 == 0 )) && sides=(peer nabla)
    for side in "${sides[@]}"; do
      out="$RAW/$w.t$t.$side.$r.txt"
      if [[ $side == nabla ]]; then
        OMP_NUM_THREADS=$t "${launch[@]}" "$NABLA" "${nabla_args[@]}" "${extra[@]}" >"$out"
      elif [[ -f bench/peers/$w.py ]]; then
        OMP_NUM_THREADS=$t OPENBLAS_NUM_THREADS=$t $PY "bench/peers/$w.py" "${peer_args[@]}" "${extra[@]}" >"$out"
      fi
      grep -v '^RESULT' "$out" 2>/dev/null | sed "s/^/  [$r] /" || true
    done
  done
  ran+=("$w.t$t")
done

$PY bench/report.py "$RAW" bench/results/latest.json "${ran[@]}"
