#!/usr/bin/env bash
# fuzz/run.sh TARGET SECONDS — fuzzes one parser of user files for SECONDS with afl-fuzz (Debian's afl++)
# through SharpFuzz: publishes fuzz/Nabla.Fuzz, instruments its copy of Nabla.dll, runs afl-fuzz on the
# seed corpus fuzz/corpus/TARGET, and ends with one line
#   fuzz TARGET: N executions, C crashes, H hangs in S s
# Exit 0 when C = H = 0; 1 otherwise (the inputs are in fuzz/findings/TARGET/default/{crashes,hangs}; replay
# one with `dotnet fuzz/.out/build/Nabla.Fuzz.dll TARGET --replay FILE`). Needs afl-fuzz (apt-get install afl++)
# and the SharpFuzz tool (dotnet tool restore). Targets: csv tsv idx idx-gz safetensors model-spec model-metadata.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -ne 2 ]; then
  echo "usage: fuzz/run.sh TARGET SECONDS" >&2
  exit 2
fi
target=$1
seconds=$2
if [ ! -d "fuzz/corpus/$target" ]; then
  echo "fuzz/run.sh: no seed corpus fuzz/corpus/$target (targets: $(ls fuzz/corpus | tr '\n' ' '))" >&2
  exit 2
fi
command -v afl-fuzz >/dev/null || { echo "fuzz/run.sh: afl-fuzz not found (apt-get install afl++)" >&2; exit 2; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# Build when a source changed since the last build; instrument a fresh copy of Nabla.dll each time
# (SharpFuzz refuses to instrument twice), in its own folder per target so targets can run side by side.
build=fuzz/.out/build
run=fuzz/.out/run-$target
stamp=$build/.built
if [ ! -f "$stamp" ] || [ -n "$(find src/Nabla fuzz/Nabla.Fuzz Directory.Build.props -newer "$stamp" -type f \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' \) -not -path '*/obj/*' -not -path '*/bin/*' | head -n 1)" ]; then
  mkdir -p fuzz/.out
  dotnet publish fuzz/Nabla.Fuzz -c Release -o "$build" --nologo -v quiet > fuzz/.out/publish.log 2>&1 || { cat fuzz/.out/publish.log >&2; exit 1; }
  touch "$stamp"
fi
rm -rf "$run"
cp -r "$build" "$run"
dotnet tool restore > /dev/null
dotnet tool run sharpfuzz "$run/Nabla.dll" > /dev/null

findings=fuzz/findings/$target
rm -rf "$findings"
mkdir -p "$findings"
# dotnet is not an afl-instrumented binary (SharpFuzz instruments the .NET code), so afl's binary check is
# skipped; no UI (logs, CI); no CPU pinning on a shared machine.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
export AFL_SKIP_CRASHES=1
start=$(date +%s)
afl-fuzz -i "fuzz/corpus/$target" -o "$findings" -V "$seconds" -t 5000 -m none -- \
  dotnet "$run/Nabla.Fuzz.dll" "$target" > "$findings/afl.log" 2>&1 || { tail -n 30 "$findings/afl.log" >&2; exit 1; }
elapsed=$(( $(date +%s) - start ))

stats=$findings/default/fuzzer_stats
value() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
execs=$(value execs_done)
crashes=$(value saved_crashes)
hangs=$(value saved_hangs)
echo "fuzz $target: ${execs:-0} executions, ${crashes:-0} crashes, ${hangs:-0} hangs in ${elapsed} s"
[ "${crashes:-0}" -eq 0 ] && [ "${hangs:-0}" -eq 0 ]
