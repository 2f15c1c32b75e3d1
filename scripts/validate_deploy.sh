#!/usr/bin/env bash
# Validates the deployment files without building or running them (base
# images cannot be pulled on the CI machines):
# - deploy/docker-compose.yml with `docker-compose config -q` (Debian's
#   docker-compose, which .ci/run installs; `docker compose` v2 when only it
#   exists), its secrets taken from deploy/.env.example in a copy of
#   deploy/; and that it refuses to start without POSTGRES_PASSWORD;
# - deploy/prometheus/prometheus.yml with promtool, and
#   deploy/nginx/smc.conf with `nginx -t`, when they are installed;
# - every manifest in deploy/k8s/ with kubernetes-validate (PyPI, pinned in
#   scripts/requirements-reference.txt, installed into .venv-smc) in strict
#   mode (unknown fields are errors) against Kubernetes $K8S_VERSION;
# - deploy/k8s/kustomization.yaml lists every manifest but the secret
#   example, and only files that exist.
# Prints "N passed, M failed"; exits 1 on any failure.
# That the commands, flags, ports, paths and variables these files use
# exist in the binary is crates/cli/tests/deploy_files.rs's job.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
K8S_VERSION=${K8S_VERSION:-1.33.0}
VENV="$ROOT/.venv-smc"

passed=0
failed=0
check() { # check NAME COMMAND...: runs COMMAND, counts and reports it
    local name=$1
    shift
    if out=$("$@" 2>&1); then
        passed=$((passed + 1))
        echo "ok   $name"
    else
        failed=$((failed + 1))
        echo "FAIL $name"
        sed 's/^/     /' <<<"$out"
    fi
}

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

if command -v docker-compose >/dev/null; then
    COMPOSE=(docker-compose)
elif docker compose version >/dev/null 2>&1; then
    COMPOSE=(docker compose)
else
    echo "neither docker-compose nor docker compose is installed (apt-get install docker-compose)" >&2
    echo "0 passed, 1 failed"
    exit 1
fi
echo "compose: $("${COMPOSE[@]}" version 2>/dev/null | head -1)"

# A copy of deploy/, so that the .env compose needs never lands in the tree.
cp -r deploy "$TMP/deploy"
cp deploy/.env.example "$TMP/deploy/.env"
check "docker-compose.yml: ${COMPOSE[*]} config -q" \
    "${COMPOSE[@]}" --project-directory "$TMP/deploy" -f "$TMP/deploy/docker-compose.yml" config -q
check "docker-compose.yml: the replica profile" \
    "${COMPOSE[@]}" --project-directory "$TMP/deploy" -f "$TMP/deploy/docker-compose.yml" --profile replica config -q
grep -v '^POSTGRES_PASSWORD=' deploy/.env.example >"$TMP/deploy/.env"
refuses_without_password() {
    ! "${COMPOSE[@]}" --project-directory "$TMP/deploy" -f "$TMP/deploy/docker-compose.yml" config -q
}
check "docker-compose.yml: refused without POSTGRES_PASSWORD" refuses_without_password

if command -v promtool >/dev/null; then
    check "prometheus.yml: promtool check config" promtool check config deploy/prometheus/prometheus.yml
else
    echo "skip prometheus.yml: promtool is not installed (.ci/run installs prometheus)"
fi

nginx_accepts_smc_conf() {
    # A copy with a throwaway certificate where the config expects the real
    # one, and the upstream on loopback (nginx resolves it when loading).
    local d="$TMP/nginx"
    mkdir -p "$d/certs" "$d/logs" "$d/tmp"
    openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=smc.example.com \
        -keyout "$d/certs/privkey.pem" -out "$d/certs/fullchain.pem" 2>/dev/null
    sed -e "s#/etc/nginx/certs#$d/certs#g" -e 's/server agent:\([0-9]*\);/server 127.0.0.1:\1;/' \
        deploy/nginx/smc.conf >"$d/smc.conf"
    # `http2 on;` is nginx 1.25.1's (the image is 1.27); Debian 12 has 1.22,
    # which spells it on the listen line.
    if ! "$NGINX" -v 2>&1 | grep -qE 'nginx/(1\.(2[5-9]|[3-9][0-9])|[2-9])\.'; then
        sed -i -e '/^[[:space:]]*http2 on;/d' -e 's/listen \(.*\)443 ssl;/listen \1443 ssl http2;/' "$d/smc.conf"
    fi
    cat >"$d/nginx.conf" <<CONF
pid $d/nginx.pid;
error_log $d/logs/error.log;
events {}
http {
    access_log off;
    client_body_temp_path $d/tmp/body;
    proxy_temp_path $d/tmp/proxy;
    fastcgi_temp_path $d/tmp/fastcgi;
    uwsgi_temp_path $d/tmp/uwsgi;
    scgi_temp_path $d/tmp/scgi;
    include $d/smc.conf;
}
CONF
    "$NGINX" -t -q -e "$d/logs/error.log" -p "$d" -c "$d/nginx.conf"
}
# Debian puts nginx in /usr/sbin, off a non-root PATH.
NGINX=$(command -v nginx || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; } || true)
if [ -n "$NGINX" ] && command -v openssl >/dev/null; then
    check "nginx/smc.conf: nginx -t" nginx_accepts_smc_conf
else
    echo "skip nginx/smc.conf: nginx is not installed"
fi

if ! "$VENV/bin/python" -c 'import kubernetes_validate' 2>/dev/null; then
    [ -x "$VENV/bin/pip" ] || python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check \
        "$(grep -E '^kubernetes-validate==' scripts/requirements-reference.txt)"
fi
for f in deploy/k8s/*.yaml; do
    [ "$(basename "$f")" = kustomization.yaml ] && continue # no schema: checked below
    check "$f: kubernetes-validate --strict (Kubernetes $K8S_VERSION)" \
        "$VENV/bin/kubernetes-validate" --strict --quiet -k "$K8S_VERSION" "$f"
done

kustomization_lists_the_manifests() {
    local listed
    listed=$(sed -n '/^resources:/,/^[^ ]/p' deploy/k8s/kustomization.yaml | sed -n 's/^  - //p' | sort)
    for r in $listed; do
        [ -f "deploy/k8s/$r" ] || { echo "listed but missing: $r"; return 1; }
    done
    for f in deploy/k8s/*.yaml; do
        local name
        name=$(basename "$f")
        case $name in kustomization.yaml | secret.example.yaml) continue ;; esac
        grep -qx "$name" <<<"$listed" || { echo "not listed: $name"; return 1; }
    done
}
check "kustomization.yaml lists every manifest" kustomization_lists_the_manifests

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
