#!/usr/bin/env bash
# Checks the sources against .editorconfig without changing them: `dotnet format --verify-no-changes`
# over the solution (whitespace, code style and analyzers). Prints the findings and ends with one line
# "format: N findings"; exits 0 when there are none.
#   tools/format-check.sh              everything
#   tools/format-check.sh whitespace   only whitespace (indentation, spacing, line endings)
#   tools/format-check.sh --fix [...]  apply the fixes instead of reporting them
# .ci/run runs it (one test in the CI count); `tools/format-check.sh --fix` repairs what it reports.
set -uo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

fix=0
if [ "${1:-}" = "--fix" ]; then fix=1; shift; fi
if [ "$fix" -eq 1 ]; then
  exec dotnet format "$@" Nabla.slnx
fi

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
report="$dir/format-report.json"
dotnet format "$@" Nabla.slnx --verify-no-changes --report "$dir" >/dev/null 2>&1
status=$?
findings=0
if [ -s "$report" ]; then
  findings=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(len(x.get("FileChanges", [])) for x in d))' "$report" 2>/dev/null || echo 0)
  python3 -c '
import json, sys, os
for doc in json.load(open(sys.argv[1])):
    path = os.path.relpath(doc["FilePath"])
    for c in doc.get("FileChanges", []):
        print("%s:%d:%d: %s %s" % (path, c["LineNumber"], c["CharNumber"], c["DiagnosticId"], c["FormatDescription"]))
' "$report" 2>/dev/null
fi
echo "format: ${findings} findings"
if [ "$status" -ne 0 ] && [ "$findings" -eq 0 ]; then
  echo "dotnet format failed (exit $status) without a report" >&2
  exit "$status"
fi
[ "$findings" -eq 0 ]
