#!/usr/bin/env bash
# Benchmark of the SMTP engine, both sides, each against Postfix's tools in the same run:
# - server: smtp-source sends the same load to kube-mail's server (`kube-mail sink`: the relay's
#   SMTP engine, discarding) and to smtp-sink, with a connection per message and reused (-d);
# - client: kube-mail's client (`kubemailctl send --count`) and smtp-source send the same load to
#   smtp-sink over reused connections.
#
# Usage: hack/bench/smtp.sh [MESSAGES] [SESSIONS] [SIZE]   (defaults 20000 20 1024)
set -euo pipefail
cd "$(dirname "$0")/../.."
MESSAGES="${1:-20000}"
SESSIONS="${2:-20}"
SIZE="${3:-1024}"

hack/install-test-deps.sh >/dev/null
swift build -c release --product kube-mail >/dev/null
swift build -c release --product kubemailctl >/dev/null
KUBE_MAIL="$(swift build -c release --show-bin-path)/kube-mail"
KUBEMAILCTL="$(swift build -c release --show-bin-path)/kubemailctl"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_port() { for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
PIDS=()
trap 'for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done' EXIT

OURS=$(free_port)
"$KUBE_MAIL" sink --listen "127.0.0.1:$OURS" --max-connections 1000 >/dev/null 2>&1 &
PIDS+=($!)
SINK=$(free_port)
smtp-sink -u postfix -c "127.0.0.1:$SINK" 1024 >/dev/null 2>&1 &
PIDS+=($!)
wait_port "$OURS"
wait_port "$SINK"

rate() { # port extra-flags -> messages per second
    local start end
    start=$(date +%s.%N)
    smtp-source $2 -s "$SESSIONS" -m "$MESSAGES" -l "$SIZE" -f bench@source.test -t sink@example.test "127.0.0.1:$1" >/dev/null
    end=$(date +%s.%N)
    echo "$MESSAGES / ($end - $start)" | bc -l
}

printf '%s messages of %s bytes over %s sessions\n' "$MESSAGES" "$SIZE" "$SESSIONS"
for mode in "" "-d"; do
    label=$([ -z "$mode" ] && echo "new connection per message" || echo "connections reused (-d)")
    ours=$(rate "$OURS" "$mode")
    theirs=$(rate "$SINK" "$mode")
    printf '%-28s kube-mail %8.0f msg/s   smtp-sink %8.0f msg/s   ratio %.2f\n' "$label" "$ours" "$theirs" "$(echo "$ours / $theirs" | bc -l)"
done

start=$(date +%s.%N)
"$KUBEMAILCTL" send --server "127.0.0.1:$SINK" --connect plain --to sink@example.test --from bench@client.test \
    --body "$(head -c "$SIZE" /dev/zero | tr '\0' 'x')" --count "$MESSAGES" --concurrency "$SESSIONS" >/dev/null
end=$(date +%s.%N)
client=$(echo "$MESSAGES / ($end - $start)" | bc -l)
source_rate=$(rate "$SINK" "-d")
printf '%-28s kube-mail %8.0f msg/s   smtp-source %6.0f msg/s   ratio %.2f\n' "client to smtp-sink" "$client" "$source_rate" \
    "$(echo "$client / $source_rate" | bc -l)"
