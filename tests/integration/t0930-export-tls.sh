#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# mmscope export --web-config in exporter-toolkit's format: TLS from cert_file and
# key_file (a self-signed certificate made here with openssl), basic auth with
# bcrypt hashes ($2b$ from libcrypt, and the $2y$ htpasswd -B writes): no or wrong
# credentials get 401, the right ones the metrics (which promtool accepts), plain
# HTTP on the TLS port gets nothing.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
[ -x $PY ] || PY=python3
command -v openssl >/dev/null || { skip export-tls "no openssl"; exit 0; }
cd "$SCRATCH" || exit 1
openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 2 -subj /CN=localhost 2>/dev/null
# crypt() with a bcrypt salt: the same libcrypt the exporter checks passwords with.
hash=$($PY -W ignore -c 'import crypt; print(crypt.crypt("s3cret", crypt.mksalt(crypt.METHOD_BLOWFISH)))')
hash_y=$($PY -W ignore -c 'import crypt; print(crypt.crypt("other", "$2y$05$" + "abcdefghijklmnopqrstuv"))')
case "$hash$hash_y" in
'$2'*'$2y$'*) ;;
*) skip export-tls "this libcrypt makes no bcrypt hashes ($hash)"; exit 0 ;;
esac
printf 'tls_server_config:\n  cert_file: cert.pem\n  key_file: %s/key.pem\nbasic_auth_users:\n  prom: %s\n  ops: %s\n' \
	"$SCRATCH" "$hash" "$hash_y" >web.yml
EP=$((32000 + $$ % 2000))
"$MMSCOPE" export --no-trace --listen 127.0.0.1:$EP --web-config "$SCRATCH/web.yml" >exp.out 2>exp.err &
EXP=$!
trap 'kill $EXP 2>/dev/null; wait $EXP 2>/dev/null; rm -rf "$SCRATCH"' EXIT
i=0
while ! grep -q serving exp.err && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
grep -q 'serving https://' exp.err && ok export-tls-start || not_ok export-tls-start "$(head -c 200 exp.err)"

code() { curl -s --cacert cert.pem --resolve localhost:$EP:127.0.0.1 -o body -w '%{http_code}' "$@"; }
c=$(code https://localhost:$EP/metrics)
[ "$c" = 401 ] && ok export-tls-no-credentials || not_ok export-tls-no-credentials "status $c"
c=$(code -u prom:wrong https://localhost:$EP/metrics)
[ "$c" = 401 ] && ok export-tls-wrong-password || not_ok export-tls-wrong-password "status $c"
c=$(code -u nobody:s3cret https://localhost:$EP/metrics)
[ "$c" = 401 ] && ok export-tls-unknown-user || not_ok export-tls-unknown-user "status $c"
c=$(code -u prom:s3cret https://localhost:$EP/metrics)
[ "$c" = 200 ] && grep -q '^mmscope_build_info' body && ok export-tls-bcrypt-2b || not_ok export-tls-bcrypt-2b "status $c"
if command -v promtool >/dev/null; then
	check export-tls-promtool promtool check metrics <body
fi
c=$(code -u ops:other https://localhost:$EP/metrics)
[ "$c" = 200 ] && ok export-tls-bcrypt-2y || not_ok export-tls-bcrypt-2y "status $c"
c=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 http://127.0.0.1:$EP/metrics)
[ "$c" != 200 ] && ok export-tls-plain-refused || not_ok export-tls-plain-refused "status $c"
kill -0 $EXP 2>/dev/null && ok export-tls-alive || not_ok export-tls-alive "exited: $(head -c 200 exp.err)"
