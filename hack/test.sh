#!/usr/bin/env bash
# The test command of the README and of CI: installs what the tests need, checks the format,
# builds with warnings as errors and runs the whole suite. Extra arguments go to `swift test`
# (for example `--filter LabelSelector`).
set -euo pipefail
cd "$(dirname "$0")/.."

hack/install-test-deps.sh
export KUBEMAIL_TOOLS_DIR="${KUBEMAIL_TOOLS_DIR:-$PWD/.tools}"
# The Postfix peer must work before tests rely on it (a few seconds; see hack/peers/).
hack/peers/check-postfix.sh > /dev/null || { hack/peers/check-postfix.sh -v; exit 1; }

swift format lint --strict --recursive --parallel Sources Tests Package.swift
swift build --build-tests -Xswiftc -warnings-as-errors
swift test --skip-build "$@"
