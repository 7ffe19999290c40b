#!/usr/bin/env bash
# Creates .venv-dlt with dlt's rest_api source and DuckDB destination, pinned, for bench/ingest.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv-dlt/bin/python ]; then "$PYTHON" -m venv .venv-dlt; fi
.venv-dlt/bin/pip install --quiet --disable-pip-version-check -r bench/requirements-dlt.txt
.venv-dlt/bin/python -c "import dlt, duckdb; print(f'dlt {dlt.__version__}, duckdb {duckdb.__version__}')"
