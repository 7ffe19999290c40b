#!/usr/bin/env bash
# Creates the Python venv that runs fakesnow (the Snowflake emulator behind the Snowflake integration
# tests) at .venv-fakesnow, from test/support/fakesnow/requirements.txt. It does nothing when the venv
# exists and was built from the same requirements (a stamp file holds their hash), so CI can cache
# .venv-fakesnow and run this on every build.
#
#   scripts/setup-fakesnow.sh            create or refresh the venv
#   FAKESNOW_VENV=/path scripts/...      put it elsewhere
#   PYTHON=python3.12 scripts/...        use another interpreter (fakesnow needs Python >= 3.11)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${FAKESNOW_VENV:-$root/.venv-fakesnow}"
requirements="$root/test/support/fakesnow/requirements.txt"
stamp="$venv/.requirements.sha256"
python="${PYTHON:-python3}"

want="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "fakesnow venv is up to date: $venv"
  exit 0
fi

if ! command -v "$python" >/dev/null 2>&1; then
  echo "setup-fakesnow: $python not found; fakesnow needs Python >= 3.11 (set PYTHON=...)" >&2
  exit 1
fi
if ! "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
  echo "setup-fakesnow: fakesnow needs Python >= 3.11, $python is $("$python" -V 2>&1)" >&2
  exit 1
fi

# Build next to the target and swap it in, so an interrupted install never leaves a half-made venv
# that the stamp check would later trust.
building="$venv.building"
rm -rf "$building"
"$python" -m venv "$building"
"$building/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$requirements"
"$building/bin/python" -c 'import fakesnow, uvicorn, starlette, pyarrow'
echo "$want" >"$building/.requirements.sha256"
# A venv's scripts hold its absolute path; moving it is fine for `bin/python -m ...`, which is all
# the launcher uses.
rm -rf "$venv"
mv "$building" "$venv"
echo "fakesnow venv ready: $venv ($("$venv/bin/python" -m pip show fakesnow 2>/dev/null | sed -n 's/^Version: /fakesnow /p'))"
