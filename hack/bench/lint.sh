#!/usr/bin/env bash
# Benchmark: kubemailctl lint versus check-jsonschema on the same 10,000 documents (one per file,
# as check-jsonschema wants them), in the same run. Prints both times, the ratio, and whether the
# two agree on which files violate the schema. SPEC §7's goal: lint at least 5x faster.
#
# Usage: hack/bench/lint.sh [DOCUMENTS]   (default 10000)
set -euo pipefail
cd "$(dirname "$0")/../.."
COUNT="${1:-10000}"

hack/install-test-deps.sh >/dev/null
VENV="${KUBEMAIL_TOOLS_DIR:-$PWD/.tools}/venv"
swift build -c release --product kubemailctl >/dev/null
KUBEMAILCTL="$(swift build -c release --show-bin-path)/kubemailctl"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/docs" "$WORK/schemas"
"$KUBEMAILCTL" crds --format json-schema -o "$WORK/schemas" 2>/dev/null

# Documents: SMTPServers, EmailPolicies and MailRelays, ten policies per namespace, every tenth
# document with a schema violation (wrong enum, out-of-range number, unknown field, missing field).
python3 - "$WORK/docs" "$COUNT" <<'PY'
import sys, os
out, count = sys.argv[1], int(sys.argv[2])
broken = ["  connect: tls\n", "  port: 0\n", "  hostname: x\n"]
for i in range(count):
    ns = f"team-{i // 30}"
    kind = ("SMTPServer", "EmailPolicy", "MailRelay")[i % 3]
    bad = i % 10 == 9
    head = f"apiVersion: kube-mail.helmich.me/v1alpha1\nkind: {kind}\nmetadata:\n  name: o{i}\n  namespace: {ns}\n  labels:\n    app.kubernetes.io/part-of: bench\n"
    if kind == "SMTPServer":
        body = f"spec:\n  server: smtp{i}.example.com\n  port: 587\n  connect: starttls\n  authType: SCRAM-SHA-256\n"
        if bad: body += broken[i % 3]
    elif kind == "EmailPolicy":
        body = (f"spec:\n  podSelector:\n    matchLabels:\n      app: a{i}\n    matchExpressions:\n"
                f"      - {{key: tier, operator: In, values: [web, api]}}\n  ratelimiting:\n    maximum: {100 + i}\n    period: hour\n")
        body += "  sink:\n    catch:\n      retention: 24h\n" if not bad else "  sink: {}\n"
    else:
        body = "spec:\n  replicas: 2\n  resources:\n    limits: {cpu: 500m, memory: 128Mi}\n" + ("  logLevel: verbose\n" if bad else "")
    with open(os.path.join(out, f"{kind.lower()}-{i:05d}.yaml"), "w") as f:
        f.write(head + body)
PY

now() { date +%s.%N; }

start=$(now)
"$KUBEMAILCTL" lint --format json "$WORK/docs" > "$WORK/lint.json" || true
lint_seconds=$(echo "$(now) - $start" | bc)

start=$(now)
for kind in smtpserver emailpolicy mailrelay; do
    find "$WORK/docs" -name "$kind-*.yaml" -print0 | sort -z |
        xargs -0 "$VENV/bin/check-jsonschema" -o json --schemafile "$WORK/schemas/${kind}_v1alpha1.json" \
        > "$WORK/cj-$kind.json" || true
done
cj_seconds=$(echo "$(now) - $start" | bc)

python3 - "$WORK" "$lint_seconds" "$cj_seconds" "$COUNT" <<'PY'
import json, sys, os
work, lint_s, cj_s, count = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
lint = json.load(open(os.path.join(work, "lint.json")))
lint_bad = {os.path.basename(f["file"]) for f in lint["findings"] if f["rule"].startswith("schema-")}
cj_bad = set()
decoder = json.JSONDecoder()
for kind in ("smtpserver", "emailpolicy", "mailrelay"):
    # xargs may split the files over several runs: one JSON report each, one after another.
    text, position = open(os.path.join(work, f"cj-{kind}.json")).read(), 0
    while position < len(text.rstrip()):
        report, end = decoder.raw_decode(text, position)
        cj_bad |= {os.path.basename(e["filename"]) for e in report["errors"] + report["parse_errors"]}
        position = end + (len(text[end:]) - len(text[end:].lstrip()))
print(f"documents:               {count}")
print(f"kubemailctl lint:        {lint_s:.2f} s ({lint['summary']['documents']} documents, {len(lint_bad)} with schema errors)")
print(f"check-jsonschema:        {cj_s:.2f} s ({len(cj_bad)} files with schema errors)")
print(f"ratio (check-jsonschema / lint): {cj_s / lint_s:.1f}x  (goal: at least 5x)")
print(f"same schema verdicts:    {'yes' if lint_bad == cj_bad else 'NO: ' + str(sorted(lint_bad ^ cj_bad)[:10])}")
sys.exit(0 if lint_bad == cj_bad else 1)
PY
