#!/usr/bin/env bash
# Fuzzes the SMTP server's framing, dot-unstuffing and state machine with libFuzzer (and
# AddressSanitizer). Seeds come from hack/fuzz/corpus; what the fuzzer learns goes to
# .build-fuzz/corpus, crashes to .build-fuzz/crashes. A crash input can be replayed with
# `swift run smtp-fuzz FILE`.
#
# Usage: hack/fuzz.sh [SECONDS]   (default 600)
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN="${1:-600}"

swift build -c release --product smtp-fuzz --scratch-path .build-fuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING
mkdir -p .build-fuzz/corpus .build-fuzz/crashes
.build-fuzz/release/smtp-fuzz \
    -max_total_time="$SECONDS_TO_RUN" -rss_limit_mb=2048 -max_len=4096 -timeout=10 \
    -artifact_prefix=.build-fuzz/crashes/ -print_final_stats=1 \
    .build-fuzz/corpus hack/fuzz/corpus
