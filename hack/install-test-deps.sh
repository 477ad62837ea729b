#!/usr/bin/env bash
# Installs everything the test suite needs, idempotently: Debian packages and a Python venv with
# the referee tools (hack/requirements-test.txt) under .tools/venv. Safe to run again and again;
# a second run with nothing to do takes a second.
set -euo pipefail
cd "$(dirname "$0")/.."

TOOLS_DIR="${KUBEMAIL_TOOLS_DIR:-$PWD/.tools}"
VENV="$TOOLS_DIR/venv"

# Debian packages the tests drive. Postfix with Cyrus SASL is the real upstream SMTP server
# (hack/peers/postfix.sh runs private instances of it); swaks and gsasl are the independent
# clients that prove each SASL mechanism; tini reaps postfix's processes in the foreground.
APT_PACKAGES=(
    postfix swaks sasl2-bin libsasl2-modules gsasl tini
    libnet-ssleay-perl libio-socket-ssl-perl libauthen-sasl-perl
    openssl python3
)
missing=()
for package in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # Postfix's package asks how to configure the system mailer: "No configuration" leaves
    # /etc/postfix/main.cf absent and starts no system instance (the tests run their own).
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    # Keep maintainer scripts from starting services (Docker images ship this file already).
    policy_rc=/usr/sbin/policy-rc.d
    if [ ! -e "$policy_rc" ]; then
        printf '#!/bin/sh\nexit 101\n' > "$policy_rc"
        chmod 755 "$policy_rc"
        trap 'rm -f "$policy_rc"' EXIT
    fi
    # Refresh the package lists only when apt does not know one of the packages yet.
    for package in "${missing[@]}"; do
        if ! apt-cache show "$package" >/dev/null 2>&1; then
            apt-get update -qq
            break
        fi
    done
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
        2> >(grep -v 'delaying package configuration, since apt-utils is not installed' >&2)
    # The system postfix instance must not run: tests start private ones (hack/peers/postfix.sh).
    # With "No configuration" the package starts nothing; make sure of it all the same.
    if [[ " ${missing[*]} " == *" postfix "* ]]; then
        if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
            systemctl disable --now postfix >/dev/null 2>&1 || true
        fi
        if [ -f /etc/postfix/main.cf ] && postfix status >/dev/null 2>&1; then
            echo "stopping the system postfix instance (tests run private ones)"
            postfix stop >/dev/null 2>&1 || true
        fi
    fi
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
