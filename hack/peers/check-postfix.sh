#!/usr/bin/env bash
# Self-test of hack/peers/postfix.sh: starts a private Postfix on free ports and proves, with
# independent clients (swaks, gsasl, Python's ssl), everything the kube-mail tests rely on:
# each SASL mechanism on each port, delivery of the exact message bytes into MAILDIR, refusals
# (wrong password, unauthenticated relaying, AUTH before STARTTLS), relaying of a
# --relay-domain onward (to smtp-sink), and a clean stop. One line per check; exits non-zero
# when any check fails. Every wait is bounded; the instance and the temporary directory are
# removed on every exit.
#
#   hack/peers/check-postfix.sh [-v]     (-v: print the client transcripts of failed checks)
set -euo pipefail
cd "$(dirname "$0")/../.."

PEER=hack/peers/postfix.sh
VERBOSE=
[ "${1:-}" != -v ] || VERBOSE=1
PYTHON=python3
[ ! -x /usr/bin/python3 ] || PYTHON=/usr/bin/python3

WORK=$(mktemp -d /tmp/kubemail-check-postfix.XXXXXX)
chmod 755 "$WORK"
INSTANCE=$WORK/postfix
SINK_PID=
# Belt and braces for a death without the EXIT trap (SIGKILL): a watcher stops the instance and
# removes WORK once this script's process is gone. It holds none of the caller's pipes.
MAIN_PID=$$
(
    trap '' INT HUP
    while kill -0 "$MAIN_PID" 2>/dev/null; do sleep 1; done
    "$PEER" stop "$INSTANCE" || true
    rm -rf "$WORK"
) </dev/null >/dev/null 2>&1 &
WATCHER_PID=$!
cleanup() {
    local status=$?
    kill "$WATCHER_PID" 2>/dev/null || true
    "$PEER" stop "$INSTANCE" >/dev/null 2>&1 || true
    if [ -n "$SINK_PID" ]; then
        kill "$SINK_PID" 2>/dev/null || true
        wait "$SINK_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

passed=0
failed=0
ok() {
    printf 'ok   %s\n' "$1"
    passed=$((passed + 1))
}
fail() {
    printf 'FAIL %s\n' "$1"
    failed=$((failed + 1))
    if [ -n "$VERBOSE" ] && [ -n "${2:-}" ] && [ -f "$2" ]; then
        sed 's/^/     | /' "$2" | tail -n 40
    fi
}
# check DESCRIPTION COMMAND...: one line, ok when the command succeeds.
check() {
    local description=$1
    shift
    if "$@" >"$WORK/out" 2>&1; then ok "$description"; else fail "$description" "$WORK/out"; fi
}

# N distinct free TCP ports on 127.0.0.1 (the kernel's choice; a rare race is retried below).
free_ports() {
    "$PYTHON" - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}

port_closed() {
    ! timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

# Waits (at most SECONDS) until a file in DIR contains STRING; prints its name.
wait_for_file_with() {
    local dir=$1 string=$2 seconds=$3 deadline file
    deadline=$((SECONDS + seconds))
    while :; do
        file=$(grep -rlF -- "$string" "$dir" 2>/dev/null | head -n 1 || true)
        if [ -n "$file" ]; then
            printf '%s\n' "$file"
            return 0
        fi
        [ $SECONDS -lt "$deadline" ] || return 1
        sleep 0.1
    done
}

# --- start -----------------------------------------------------------------------------------
started=
for attempt in 1 2 3; do
    read -r P1 P2 P3 SINK_PORT < <(free_ports 4)
    if env_lines=$("$PEER" start "$INSTANCE" --plain-port "$P1" --starttls-port "$P2" --tls-port "$P3" \
        --relay-domain "relay.test=127.0.0.1:$SINK_PORT" 2>"$WORK/start.err"); then
        started=1
        break
    fi
    grep -q 'already in use' "$WORK/start.err" || break
done
if [ -z "$started" ]; then
    fail "postfix.sh start" "$WORK/start.err"
    cat "$WORK/start.err" >&2
    exit 1
fi
eval "$env_lines"
ok "postfix.sh start: 220 on plain $PLAIN_PORT, STARTTLS-only $STARTTLS_PORT, implicit TLS $TLS_PORT"
for key in PLAIN_PORT STARTTLS_PORT TLS_PORT MAILDIR CERT KEY USER PASSWORD REALM LOG CONFIG_DIR; do
    [ -n "${!key:-}" ] || fail "start printed $key"
done
check "status says running" "$PEER" status "$INSTANCE"
check "a second start in the same DIR is refused" \
    bash -c '! "$0" start "$1" --plain-port "$2" --starttls-port "$3" --tls-port "$4"' \
    "$PEER" "$INSTANCE" "$P1" "$P2" "$P3"

# The certificate the instance presents is CERT, valid for localhost and 127.0.0.1.
check "implicit-TLS port presents CERT (verifies for localhost and 127.0.0.1)" "$PYTHON" - "$TLS_PORT" "$CERT" <<'EOF'
import socket, ssl, sys
port, cert = int(sys.argv[1]), sys.argv[2]
for name in ("localhost", "127.0.0.1"):
    ctx = ssl.create_default_context(cafile=cert)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with ctx.wrap_socket(raw, server_hostname=name) as tls:
            line = tls.makefile("rb").readline()
            assert line.startswith(b"220 "), line
            tls.sendall(b"QUIT\r\n")
EOF

# --- authentication and delivery with swaks -----------------------------------------------------
# The message: fixed headers (so Postfix adds none but its trace headers on top), a line that
# starts with a dot and one that is only a dot (dot-stuffing), and UTF-8. The delivered file
# must be Postfix's Return-Path/Delivered-To/Received headers followed by exactly these bytes
# (with LF line ends, as Maildir stores them).
n=0
send_and_verify() {
    local description=$1 mechanism=$2 login=$3
    shift 3
    n=$((n + 1))
    local id="check-$n-$$-$RANDOM@kubemail.test" message=$WORK/message-$n.eml
    printf '%s\n' \
        "From: Sender <sender@kubemail.test>" \
        "To: Someone <someone@example.test>" \
        "Subject: check $n $mechanism" \
        "Date: Tue, 25 Nov 2025 07:00:00 +0000" \
        "Message-ID: <$id>" \
        "MIME-Version: 1.0" \
        "Content-Type: text/plain; charset=utf-8" \
        "" \
        "Hello from check-postfix.sh ($description)." \
        ".a line that starts with a dot" \
        "Grüße, ünïcödé" \
        "." \
        "end" > "$message"
    # swaks sends the data, CRLF and ".": the file must not end with a newline of its own.
    truncate -s -1 "$message"
    if ! timeout 30 swaks --server 127.0.0.1 "$@" --auth "$mechanism" --auth-user "$login" \
        --auth-password "$PASSWORD" --from sender@kubemail.test --to someone@example.test \
        --data "$message" >"$WORK/out" 2>&1; then
        fail "$description" "$WORK/out"
        return
    fi
    local file
    if ! file=$(wait_for_file_with "$MAILDIR" "<$id>" 10); then
        echo "no file in $MAILDIR with Message-ID <$id> within 10 s" >>"$WORK/out"
        fail "$description" "$WORK/out"
        return
    fi
    # The delivered file: Postfix's Return-Path, Delivered-To and Received, then the message.
    if "$PYTHON" -c 'import sys; d, m = (open(p, "rb").read() for p in sys.argv[1:]); sys.exit(0 if d.endswith(m + b"\n") and d.startswith(b"Return-Path: <sender@kubemail.test>") else 1)' "$file" "$message"; then
        ok "$description"
    else
        { echo "--- delivered $file"; cat "$file"; echo "--- sent"; cat "$message"; } >>"$WORK/out"
        fail "$description" "$WORK/out"
    fi
}

for mechanism in PLAIN LOGIN CRAM-MD5; do
    send_and_verify "$mechanism as $USER, delivered: plain port, no TLS" "$mechanism" "$USER" \
        --port "$PLAIN_PORT"
    send_and_verify "$mechanism as $USER, delivered: plain port, STARTTLS" "$mechanism" "$USER" \
        --port "$PLAIN_PORT" --tls
    send_and_verify "$mechanism as $USER, delivered: STARTTLS-required port" "$mechanism" "$USER" \
        --port "$STARTTLS_PORT" --tls
    send_and_verify "$mechanism as $USER, delivered: implicit-TLS port" "$mechanism" "$USER" \
        --port "$TLS_PORT" --tlsc
    send_and_verify "$mechanism as $USER@$REALM, delivered: implicit-TLS port" "$mechanism" \
        "$USER@$REALM" --port "$TLS_PORT" --tlsc
done
count=$(find "$MAILDIR" -type f | wc -l)
if [ "$count" -eq 15 ]; then ok "MAILDIR holds one file per message (15)"; else fail "MAILDIR holds one file per message (15), found $count"; fi

# --- SCRAM with gsasl (Cyrus offers SCRAM without -PLUS: over TLS, gsasl needs --no-cb) ---------
for mechanism in SCRAM-SHA-1 SCRAM-SHA-256; do
    for login in "$USER" "$USER@$REALM"; do
        check "$mechanism as $login: plain port, no TLS" \
            timeout 30 gsasl --smtp --connect "127.0.0.1:$PLAIN_PORT" --no-starttls \
            -m "$mechanism" -a "$login" -p "$PASSWORD" -d </dev/null
    done
    check "$mechanism as $USER: STARTTLS-required port (CA = CERT)" \
        timeout 30 gsasl --smtp --connect "127.0.0.1:$STARTTLS_PORT" --starttls --no-cb \
        --x509-ca-file="$CERT" -m "$mechanism" -a "$USER" -p "$PASSWORD" -d </dev/null
done

# --- refusals ------------------------------------------------------------------------------------
# expect_output PATTERN COMMAND...: runs the command (its exit status does not matter) and
# succeeds when its output has a line matching the extended regular expression.
expect_output() {
    local pattern=$1
    shift
    "$@" >"$WORK/expect" 2>&1 </dev/null || true
    cat "$WORK/expect"
    grep -qE -- "$pattern" "$WORK/expect"
}
for mechanism in PLAIN LOGIN CRAM-MD5; do
    check "$mechanism with a wrong password gets 535 5.7.8" expect_output '^<\*\* 535 5\.7\.8 ' \
        timeout 30 swaks --server 127.0.0.1 --port "$PLAIN_PORT" --auth "$mechanism" \
        --auth-user "$USER" --auth-password wrong-password --quit-after AUTH
done
for mechanism in SCRAM-SHA-1 SCRAM-SHA-256; do
    check "$mechanism with a wrong password gets 535 5.7.8" expect_output '^535 5\.7\.8 ' \
        timeout 30 gsasl --smtp --connect "127.0.0.1:$PLAIN_PORT" --no-starttls -m "$mechanism" \
        -a "$USER" -p wrong-password -d
done
check "a user of another realm is refused (535 5.7.8)" expect_output '^<\*\* 535 5\.7\.8 ' \
    timeout 30 swaks --server 127.0.0.1 --port "$PLAIN_PORT" --auth PLAIN \
    --auth-user "$USER@other.test" --auth-password "$PASSWORD" --quit-after AUTH
check "unauthenticated relaying is refused (RCPT 554 5.7.1)" expect_output '^<\*\* 554 5\.7\.1 ' \
    timeout 30 swaks --server 127.0.0.1 --port "$PLAIN_PORT" --from a@kubemail.test \
    --to b@example.test --quit-after RCPT
check "STARTTLS-required port: MAIL before STARTTLS gets 530 5.7.0" expect_output '^<\*\* 530 5\.7\.0 ' \
    timeout 30 swaks --server 127.0.0.1 --port "$STARTTLS_PORT" --from a@kubemail.test \
    --to b@example.test --quit-after RCPT
check "STARTTLS-required port: AUTH is not offered before STARTTLS" \
    bash -c '! grep -q "250-AUTH" "$1"' _ "$WORK/expect"
count=$(find "$MAILDIR" -type f | wc -l)
if [ "$count" -eq 15 ]; then ok "refused mail was not delivered (still 15 files)"; else fail "refused mail was not delivered, found $count files"; fi

# --- relaying a --relay-domain onward to smtp-sink -----------------------------------------------
mkdir -p "$WORK/sink"
chown postfix "$WORK/sink"
smtp-sink -u postfix -d "$WORK/sink/%Y%m%d%H%M%S." -a "127.0.0.1:$SINK_PORT" 16 >"$WORK/sink.log" 2>&1 &
SINK_PID=$!
relay_id="relay-$$-$RANDOM@kubemail.test"
deadline=$((SECONDS + 5))
until ! port_closed "$SINK_PORT" || [ $SECONDS -ge $deadline ]; do sleep 0.1; done
if timeout 30 swaks --server 127.0.0.1 --port "$PLAIN_PORT" --auth PLAIN --auth-user "$USER" \
    --auth-password "$PASSWORD" --from sender@kubemail.test --to someone@relay.test \
    --header "Message-ID: <$relay_id>" --body "relayed onward" >"$WORK/out" 2>&1 &&
    wait_for_file_with "$WORK/sink" "$relay_id" 15 >>"$WORK/out"; then
    ok "--relay-domain relay.test=127.0.0.1:$SINK_PORT relays onward (smtp-sink received it)"
else
    { echo "--- maillog"; tail -n 20 "$LOG"; } >>"$WORK/out"
    fail "--relay-domain relay.test=127.0.0.1:$SINK_PORT relays onward (smtp-sink received it)" "$WORK/out"
fi
if grep -rqF "$relay_id" "$MAILDIR"; then fail "relayed mail stayed out of MAILDIR"; else ok "relayed mail stayed out of MAILDIR"; fi

# --- the log -------------------------------------------------------------------------------------
if grep -qE 'postfix-test/[a-z-]+\[[0-9]+\]: (fatal|panic|error):' "$LOG"; then
    grep -E '(fatal|panic|error):' "$LOG" >"$WORK/out"
    fail "no fatal/panic/error in $LOG" "$WORK/out"
else
    ok "no fatal/panic/error in $LOG"
fi

# --- stop ----------------------------------------------------------------------------------------
check "postfix.sh stop" "$PEER" stop "$INSTANCE"
check "ports are closed after stop" bash -c 'for p; do ! timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$p" 2>/dev/null || exit 1; done' \
    _ "$PLAIN_PORT" "$STARTTLS_PORT" "$TLS_PORT"
check "status says stopped (exit 3)" bash -c '"$0" status "$1"; [ $? -eq 3 ]' "$PEER" "$INSTANCE"
check "a second stop succeeds (idempotent)" "$PEER" stop "$INSTANCE"
no_process_left() {
    local pid
    pid=$(tr -dc 0-9 <"$1/queue/pid/master.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        echo "master $pid still runs"
        return 1
    fi
    ! pgrep -af -- "postfix -c $1 start-fg"
}
check "no process of the instance is left" no_process_left "$INSTANCE"

echo "$((passed + failed)) checks: $passed ok, $failed failed"
[ "$failed" -eq 0 ]
