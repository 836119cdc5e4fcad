#!/usr/bin/env bash
# Builds the reference site with docfx (the local dotnet tool, .config/dotnet-tools.json): the API reference from the
# XML doc comments of src/Nabla, src/Nabla.Onnx and src/Nabla.Distributed, plus docs/ and tutorials/ as guides, into
# site/_site. Warnings are errors: a broken cross-reference or link fails it. Needs NuGet (tool and package restore)
# and nothing else from the network. Ends with one line "docs site: ok" or "docs site: failed".
#   tools/docs-site.sh           build
#   tools/docs-site.sh --serve   build, then serve it on http://localhost:8080
# .ci/run runs it (one test in the CI count).
set -uo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if ! dotnet tool restore > /dev/null; then
  echo "docs site: failed (dotnet tool restore)"
  exit 1
fi
rm -rf site/api site/_site
if dotnet docfx docfx.json --warningsAsErrors "$@"; then
  echo "docs site: ok (site/_site/index.html)"
else
  echo "docs site: failed"
  exit 1
fi
