#!/usr/bin/env bash
# Runs a private Postfix instance with Cyrus SASL as a real upstream SMTP server for the tests.
#
#   postfix.sh start DIR --plain-port P1 --starttls-port P2 --tls-port P3
#                        [--user USER] [--password PASS] [--realm REALM]
#                        [--relay-domain DOMAIN=HOST:PORT]...
#   postfix.sh stop DIR
#   postfix.sh status DIR
#
# start builds a fresh instance in DIR (configuration, queue, self-signed certificate, SASL
# database with one user), starts it in the background under tini, waits (at most
# POSTFIX_START_TIMEOUT seconds, default 10) until every port greets with 220 and prints
# KEY=VALUE lines for callers to eval:
#
#   PLAIN_PORT=P1        AUTH offered in the clear, STARTTLS offered
#   STARTTLS_PORT=P2     STARTTLS required before MAIL and AUTH (AUTH is only offered after it)
#   TLS_PORT=P3          implicit TLS (wrapper mode, "SMTPS")
#   MAILDIR=DIR/mail/inbox/new   every accepted message for a non-relayed domain is one file here
#   CERT=DIR/tls/cert.pem        the self-signed server certificate (CN=localhost, SAN localhost
#   KEY=DIR/tls/key.pem          and 127.0.0.1) and its key
#   USER=USER            the login name; USER and USER@REALM both work with every mechanism
#                        (PLAIN, LOGIN, CRAM-MD5, SCRAM-SHA-1, SCRAM-SHA-256); USER@OTHER gets
#                        535 5.7.8. Postfix logs either form as sasl_username=USER@REALM.
#   PASSWORD=PASS        (shell-quoted with printf %q, so eval restores it exactly)
#   REALM=REALM
#   LOG=DIR/maillog      Postfix's log (there is no syslog); errors are only there
#   CONFIG_DIR=DIR       for `postfix -c DIR ...`, `postqueue -c DIR -p` and the like
#
# Defaults: user kubemail, password s3cret-Pa55, realm kubemail.test. Mechanisms offered, on
# every port (after STARTTLS on the STARTTLS port): PLAIN LOGIN CRAM-MD5 SCRAM-SHA-1
# SCRAM-SHA-256 (no -PLUS variants; Cyrus uses 4096 SCRAM iterations). A wrong password gets
# 535 5.7.8. Mail is accepted for any domain, but only from authenticated clients
# (unauthenticated RCPT gets 554 5.7.1; MAIL before STARTTLS on the STARTTLS port gets
# 530 5.7.0). Each message delivered into MAILDIR is the client's message with LF line ends
# under three added headers: Return-Path, X-Original-To/Delivered-To and Received.
#
# --relay-domain DOMAIN=HOST:PORT relays that domain onward over plain SMTP (no TLS, no MX
# lookup) to HOST:PORT instead of delivering it into MAILDIR; repeat it for several domains.
# When HOST:PORT does not answer, Postfix retries every few seconds (backoff 1-5 s) for days,
# so a test may start the next hop after sending. A message the next hop rejects with 5xx
# bounces to its sender, and that bounce lands in MAILDIR (every other domain is local here).
#
# stop runs `postfix -c DIR stop`, waits until the master process is gone and the ports are
# closed (at most POSTFIX_STOP_TIMEOUT seconds, default 10), and succeeds when nothing runs,
# also when DIR never held an instance. status prints "running ..." or "stopped" and exits 0
# or 3. DIR is left in place after stop (the log and mail stay readable); remove it yourself.
#
# Instances in different DIRs on different ports run side by side. Only 127.0.0.1 is listened
# on. Needs root (Postfix's master starts as root) and no syslog. Nothing here reads or changes
# /etc/postfix: the -c DIR configuration is complete on its own, and as root Postfix does not
# require DIR to be listed in alternate_config_directories.
set -euo pipefail

die() {
    echo "postfix.sh: $*" >&2
    exit 1
}

usage() {
    sed -n '4,8p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

require_tools() {
    local tool
    for tool in postfix postconf tini saslpasswd2 openssl python3; do
        command -v "$tool" >/dev/null 2>&1 || die "$tool not found: run hack/install-test-deps.sh"
    done
    [ "$(id -u)" = 0 ] || die "must run as root (Postfix's master process starts as root)"
}

absolute_dir() {
    local dir=$1
    [ -n "$dir" ] || usage
    case $dir in
        /*) ;;
        *) dir="$PWD/$dir" ;;
    esac
    # Postfix wants a clean absolute path without trailing slash.
    dir=$(realpath -m -s -- "$dir")
    # The path goes into main.cf lists, where blanks and commas separate items.
    [[ $dir =~ ^[A-Za-z0-9._/+@%=-]+$ ]] || die "DIR must not contain blanks or special characters: $dir"
    printf '%s\n' "$dir"
}

# /usr/bin/python3 when there is one: version-manager shims cost a fraction of a second a call.
PYTHON=python3
[ ! -x /usr/bin/python3 ] || PYTHON=/usr/bin/python3

# Waits until every given port on 127.0.0.1 greets with "220 " (a port written tls:PORT is
# reached through implicit TLS), for at most TIMEOUT seconds and only while process PID lives.
# On failure prints what went wrong.
wait_for_greetings() {
    "$PYTHON" - "$@" <<'EOF'
import os, socket, ssl, sys, time
timeout, pid, ports = float(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]

def greets(spec):
    tls = spec.startswith("tls:")
    port = int(spec[4:] if tls else spec)
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=2)
        sock.settimeout(2)
        if tls:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            sock = ctx.wrap_socket(sock, server_hostname="localhost")
        line = sock.makefile("rb").readline()
        try:
            sock.sendall(b"QUIT\r\n")
        except OSError:
            pass
        sock.close()
        return line.startswith(b"220 ")
    except (OSError, ValueError):
        return False

deadline = time.monotonic() + timeout
waiting = list(ports)
while True:
    waiting = [spec for spec in waiting if not greets(spec)]
    if not waiting:
        sys.exit(0)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        print("the master process exited")
        sys.exit(1)
    if time.monotonic() >= deadline:
        print("no 220 greeting within %gs on port(s) %s" % (timeout, ", ".join(waiting)))
        sys.exit(1)
    time.sleep(0.1)
EOF
}

# Succeeds when something accepts TCP connections on 127.0.0.1:PORT.
port_open() {
    timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

master_pid() {
    local dir=$1 pid
    pid=$(sed -n '1s/[^0-9]//gp' "$dir/queue/pid/master.pid" 2>/dev/null) || true
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && printf '%s\n' "$pid"
}

is_running() {
    local dir=$1
    [ -f "$dir/main.cf" ] || return 1
    # `postfix status` asks the master through its pid file lock; the pid check covers a
    # half-written configuration.
    postfix -c "$dir" status >/dev/null 2>&1 || master_pid "$dir" >/dev/null
}

saved_ports() {
    cat "$1/ports" 2>/dev/null || true
}

cmd_start() {
    local dir plain_port= starttls_port= tls_port= user=kubemail password=s3cret-Pa55 realm=kubemail.test
    local relays=()
    dir=$(absolute_dir "${1:-}")
    shift
    while [ $# -gt 0 ]; do
        case $1 in
            --plain-port) plain_port=${2:?}; shift 2 ;;
            --starttls-port) starttls_port=${2:?}; shift 2 ;;
            --tls-port) tls_port=${2:?}; shift 2 ;;
            --user) user=${2:?}; shift 2 ;;
            --password) password=${2:?}; shift 2 ;;
            --realm) realm=${2:?}; shift 2 ;;
            --relay-domain) relays+=("${2:?}"); shift 2 ;;
            *) die "unknown argument: $1" ;;
        esac
    done
    local port
    for port in "$plain_port" "$starttls_port" "$tls_port"; do
        [[ $port =~ ^[0-9]+$ ]] && [ "$port" -ge 1 ] && [ "$port" -le 65535 ] ||
            die "start needs --plain-port, --starttls-port and --tls-port (1-65535), got '$port'"
    done
    [ "$plain_port" != "$starttls_port" ] && [ "$plain_port" != "$tls_port" ] &&
        [ "$starttls_port" != "$tls_port" ] || die "the three ports must differ"
    [[ $user =~ ^[A-Za-z0-9._-]+$ ]] || die "--user must be [A-Za-z0-9._-]+"
    [[ $realm =~ ^[A-Za-z0-9.-]+$ ]] || die "--realm must be a domain name"
    [[ $password != *$'\n'* ]] || die "--password must be one line"
    local relay transport_entries=() domain target host
    for relay in "${relays[@]}"; do
        [[ $relay =~ ^([A-Za-z0-9.-]+)=([A-Za-z0-9.-]+|\[[0-9A-Fa-f.:]+\]):([0-9]+)$ ]] ||
            die "--relay-domain wants DOMAIN=HOST:PORT, got '$relay'"
        domain=${BASH_REMATCH[1]}
        host=${BASH_REMATCH[2]}
        # [host] means: no MX lookup, connect to this host.
        [[ $host == \[* ]] || host="[$host]"
        transport_entries+=("$domain=smtp:$host:${BASH_REMATCH[3]}")
    done

    if is_running "$dir"; then
        die "an instance is already running in $dir (stop it first: $0 stop $dir)"
    fi
    for port in "$plain_port" "$starttls_port" "$tls_port"; do
        ! port_open "$port" || die "port $port on 127.0.0.1 is already in use"
    done

    # A fresh instance every time: remove what a previous start in DIR created.
    mkdir -p "$dir"
    rm -rf "$dir/queue" "$dir/data" "$dir/mail" "$dir/tls" "$dir/sasl" "$dir/sasldb2" \
        "$dir/main.cf" "$dir/master.cf" "$dir/maillog" "$dir/console.log" "$dir/ports"
    chown root:root "$dir"
    chmod 755 "$dir"
    # Postfix's daemons (user postfix) must reach the queue below DIR: every parent needs x.
    local parent=$dir
    while [ "$parent" != / ]; do
        parent=$(dirname "$parent")
        if ! runuser -u postfix -- test -x "$parent" 2>/dev/null; then
            die "the postfix user cannot enter $parent (needed for $dir)"
        fi
    done

    local owner=postfix group=postfix
    group=$(id -gn "$owner")
    mkdir -p "$dir/queue" "$dir/data" "$dir/mail" "$dir/tls" "$dir/sasl"
    chown root:root "$dir/queue"
    chmod 755 "$dir/queue"
    chown "$owner:$group" "$dir/data" "$dir/mail"
    chmod 700 "$dir/data" "$dir/mail"

    # The certificate: self-signed, for localhost and 127.0.0.1.
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=localhost \
        -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
        -keyout "$dir/tls/key.pem" -out "$dir/tls/cert.pem" >/dev/null 2>&1 ||
        die "openssl could not make a certificate"
    chmod 644 "$dir/tls/cert.pem"
    chmod 600 "$dir/tls/key.pem"

    # Cyrus SASL: sasldb with the one user, read by smtpd (runs as postfix, not chrooted).
    cat > "$dir/sasl/smtpd.conf" <<EOF
pwcheck_method: auxprop
auxprop_plugin: sasldb
sasldb_path: $dir/sasldb2
mech_list: PLAIN LOGIN CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256
EOF
    chmod 644 "$dir/sasl/smtpd.conf"
    printf '%s' "$password" | saslpasswd2 -p -c -f "$dir/sasldb2" -u "$realm" "$user" ||
        die "saslpasswd2 failed"
    chown "$owner:$group" "$dir/sasldb2"
    chmod 640 "$dir/sasldb2"

    local transport_maps=
    if [ "${#transport_entries[@]}" -gt 0 ]; then
        local joined
        joined=$(printf '%s, ' "${transport_entries[@]}")
        transport_maps="inline:{ ${joined%, } }"
    fi

    # main.cf: complete on its own (there is no /etc/postfix/main.cf to inherit from).
    cat > "$dir/main.cf" <<EOF
# Private test instance made by hack/peers/postfix.sh; rewritten by every start.
compatibility_level = 3.6
mail_owner = postfix
setgid_group = postdrop
command_directory = $(postconf -dh command_directory)
daemon_directory = $(postconf -dh daemon_directory)
shlib_directory = $(postconf -dh shlib_directory)
meta_directory = $(postconf -dh meta_directory)
queue_directory = $dir/queue
data_directory = $dir/data

myhostname = localhost
mydomain = localdomain
myorigin = localhost
mynetworks = 127.0.0.0/8
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
smtputf8_enable = yes
biff = no
append_dot_mydomain = no
readme_directory = no
# Nothing is delivered locally: no aliases, no local recipients.
mydestination =
alias_maps =
alias_database =
local_recipient_maps =
relay_domains =
# Send bounces and failure notices nowhere (they would go to the virtual mailbox otherwise).
notify_classes =
soft_bounce = no

# Logging: no syslog here; everything goes to DIR/maillog through postlogd.
maillog_file = $dir/maillog
maillog_file_prefixes = /var, /dev/stdout, $dir
syslog_name = postfix-test

# Each accepted message becomes one file in $dir/mail/inbox/new/.
virtual_mailbox_domains = static:all
virtual_mailbox_base = $dir/mail
virtual_mailbox_maps = static:inbox/
virtual_uid_maps = static:$(id -u "$owner")
virtual_gid_maps = static:$(id -g "$owner")
virtual_minimum_uid = 1
virtual_mailbox_limit = 0
message_size_limit = 52428800
transport_maps = $transport_maps
# Relayed domains are retried quickly and given up soon: these are tests.
minimal_backoff_time = 1s
maximal_backoff_time = 5s
queue_run_delay = 1s
smtp_connect_timeout = 5s
smtp_tls_security_level =

# SASL: Cyrus with sasldb; the login name is USER (or USER@REALM).
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
cyrus_sasl_config_path = $dir/sasl
smtpd_sasl_local_domain = $realm
smtpd_sasl_security_options = noanonymous
smtpd_sasl_tls_security_options = noanonymous
broken_sasl_auth_clients = no
smtpd_relay_restrictions = permit_sasl_authenticated, reject
smtpd_recipient_restrictions =
# Test clients log in many times in a row.
smtpd_client_connection_rate_limit = 0
smtpd_client_auth_rate_limit = 0
smtpd_soft_error_limit = 100
smtpd_hard_error_limit = 200
smtpd_error_sleep_time = 0

# TLS on every port (STARTTLS offered on the plain port).
smtpd_tls_cert_file = $dir/tls/cert.pem
smtpd_tls_key_file = $dir/tls/key.pem
smtpd_tls_security_level = may
smtpd_tls_auth_only = no
smtpd_tls_loglevel = 1
smtpd_tls_received_header = yes
smtpd_tls_session_cache_database =
EOF

    # master.cf: the three ports and the services they need, nothing chrooted.
    cat > "$dir/master.cf" <<EOF
# service type  private unpriv  chroot  wakeup  maxproc command + args
127.0.0.1:$plain_port inet n - n - - smtpd
127.0.0.1:$starttls_port inet n - n - - smtpd
  -o smtpd_tls_security_level=encrypt
  -o smtpd_tls_auth_only=yes
127.0.0.1:$tls_port inet n - n - - smtpd
  -o smtpd_tls_wrappermode=yes
  -o smtpd_tls_security_level=encrypt
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
    chmod 644 "$dir/main.cf" "$dir/master.cf"
    # Postfix rereads a configuration file younger than a second (a race guard, 300 ms a
    # round, about 2 s per command); backdating the new files avoids that.
    touch -d "@$(($(date +%s) - 10))" "$dir/main.cf" "$dir/master.cf"
    printf '%s %s %s\n' "$plain_port" "$starttls_port" "$tls_port" > "$dir/ports"

    # Queue directories with Postfix's own owners and modes, as listed in postfix-files (what
    # `postfix set-permissions` does, without its 2.5 s of checking shared files).
    local files name kind downer dgroup mode made=0
    files="$(postconf -dh meta_directory)/postfix-files"
    while IFS=: read -r name kind downer dgroup mode _; do
        [ "$kind" = d ] && [[ $name == '$queue_directory/'* ]] || continue
        name=$dir/queue/${name#'$queue_directory/'}
        downer=${downer/'$mail_owner'/$owner}
        dgroup=${dgroup/'$setgid_group'/postdrop}
        [ "$dgroup" != - ] || dgroup=root
        mkdir -p "$name"
        chown "$downer:$dgroup" "$name"
        chmod "$mode" "$name"
        made=$((made + 1))
    done < "$files"
    [ "$made" -ge 10 ] || die "found no queue directories in $files"
    : > "$dir/console.log"
    # Configuration mistakes show up here (postconf warns on stderr about bad values).
    if ! postconf -c "$dir" -n >/dev/null 2>>"$dir/console.log" || [ -s "$dir/console.log" ]; then
        cat "$dir/console.log" >&2
        die "postconf -c $dir found problems in the generated configuration"
    fi
    # Skip the integrity check of `postfix start`: the queue is new and set-permissions just
    # made it, and the check's ownership rules (everything under the config directory owned
    # by root) do not fit one directory holding configuration, queue and mailboxes: it would
    # only fill the log with warnings and cost a second.
    touch "$dir/queue/quick-start" "$dir/maillog"

    # tini reaps the master's children; setsid detaches it from the caller's session, so the
    # instance outlives this script and the caller's terminal. Stop it with `postfix.sh stop`.
    setsid tini -s -- postfix -c "$dir" start-fg </dev/null >>"$dir/console.log" 2>&1 &
    local tini_pid=$!

    local problem
    if ! problem=$(wait_for_greetings "${POSTFIX_START_TIMEOUT:-10}" "$tini_pid" \
        "$plain_port" "$starttls_port" "tls:$tls_port"); then
        {
            echo "postfix.sh: the instance in $dir did not come up on ports $plain_port, $starttls_port, $tls_port: $problem"
            echo "--- $dir/console.log"
            tail -n 20 "$dir/console.log" 2>/dev/null
            echo "--- $dir/maillog"
            tail -n 40 "$dir/maillog" 2>/dev/null
        } >&2
        postfix -c "$dir" stop >/dev/null 2>&1 || true
        exit 1
    fi

    cat <<EOF
PLAIN_PORT=$plain_port
STARTTLS_PORT=$starttls_port
TLS_PORT=$tls_port
MAILDIR=$dir/mail/inbox/new
CERT=$dir/tls/cert.pem
KEY=$dir/tls/key.pem
USER=$user
PASSWORD=$(printf '%q' "$password")
REALM=$realm
LOG=$dir/maillog
CONFIG_DIR=$dir
EOF
}

cmd_stop() {
    local dir ports port pid timeout=${POSTFIX_STOP_TIMEOUT:-10} deadline
    dir=$(absolute_dir "${1:-}")
    [ -f "$dir/main.cf" ] || return 0
    ports=$(saved_ports "$dir")
    pid=$(master_pid "$dir" || true)
    if postfix -c "$dir" status >/dev/null 2>&1 || [ -n "$pid" ]; then
        postfix -c "$dir" stop >/dev/null 2>&1 || true
    fi
    deadline=$((SECONDS + timeout))
    while :; do
        local busy=
        [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null || busy="master $pid"
        for port in $ports; do
            [ -n "$busy" ] || ! port_open "$port" || busy="port $port"
        done
        [ -n "$busy" ] || break
        if [ $SECONDS -ge "$deadline" ]; then
            # Last resort, for this instance's master only (its children exit with it).
            if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
                kill -9 "$pid" 2>/dev/null || true
                deadline=$((SECONDS + 3))
                continue
            fi
            die "the instance in $dir did not stop within ${timeout}s ($busy still busy)"
        fi
        sleep 0.1
    done
}

cmd_status() {
    local dir
    dir=$(absolute_dir "${1:-}")
    if is_running "$dir"; then
        echo "running (master pid $(master_pid "$dir" || echo '?'), ports $(saved_ports "$dir"))"
        return 0
    fi
    echo stopped
    return 3
}

[ $# -ge 2 ] || usage
command=$1
shift
require_tools
case $command in
    start) cmd_start "$@" ;;
    stop) [ $# -eq 1 ] || usage; cmd_stop "$1" ;;
    status) [ $# -eq 1 ] || usage; cmd_status "$1" ;;
    *) usage ;;
esac
