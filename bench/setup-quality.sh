#!/usr/bin/env bash
# Creates .venv-quality with dbt-duckdb and soda-core-duckdb, pinned, for bench/quality.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv-quality/bin/python ]; then "$PYTHON" -m venv .venv-quality; fi
.venv-quality/bin/pip install --quiet --disable-pip-version-check -r bench/requirements-quality.txt
.venv-quality/bin/pip install --quiet --disable-pip-version-check --no-deps soda-core-duckdb==3.5.6
.venv-quality/bin/python -c "import duckdb; from importlib.metadata import version as v; print(f\"dbt-core {v('dbt-core')}, dbt-duckdb {v('dbt-duckdb')}, soda-core-duckdb {v('soda-core-duckdb')}, duckdb {duckdb.__version__}\")"
