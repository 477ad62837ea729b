#!/usr/bin/env bash
# Installs everything the test suite needs, idempotently: Debian packages and a Python venv with
# the referee tools (hack/requirements-test.txt) under .tools/venv. Safe to run again and again;
# a second run with nothing to do takes a second.
set -euo pipefail
cd "$(dirname "$0")/.."

TOOLS_DIR="${KUBEMAIL_TOOLS_DIR:-$PWD/.tools}"
VENV="$TOOLS_DIR/venv"

# Debian packages the tests drive (none is needed yet beyond the base image; listed here as they come).
APT_PACKAGES=()
missing=()
for package in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The Python referees, reinstalled only when the pinned requirements change.
stamp="$VENV/.requirements.sha256"
want=$(sha256sum hack/requirements-test.txt | cut -d' ' -f1)
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "installing Python test tools into $VENV"
    mkdir -p "$TOOLS_DIR"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r hack/requirements-test.txt
    echo "$want" > "$stamp"
fi
