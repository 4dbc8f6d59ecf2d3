#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Makes a throw-away test CA and certificates signed by it, for loopback
# tests only: server.crt/key for 127.0.0.1, ::1 and localhost, and
# client.crt/key for mutual TLS. Keys are EC P-256, valid 30 days.
# usage: mkcerts.sh DIR   (created if missing; existing files are replaced)
set -eu
dir=${1:?usage: mkcerts.sh DIR}
mkdir -p "$dir"
cd "$dir"
days=30
ec() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	-out "$1" 2>/dev/null; chmod 600 "$1"; }

ec ca.key
openssl req -new -x509 -key ca.key -out ca.crt -days $days -sha256 \
	-subj "/CN=rtcbench throw-away test CA" \
	-addext "basicConstraints=critical,CA:TRUE" \
	-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null

sign() { # name cn extensions
	ec "$1.key"
	openssl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$2" 2>/dev/null
	printf '%s\n' "$3" >"$1.ext"
	openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key \
		-CAcreateserial -out "$1.crt" -days $days -sha256 \
		-extfile "$1.ext" 2>/dev/null
	rm -f "$1.csr" "$1.ext"
}
sign server localhost "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth,clientAuth"
sign client "rtcbench test client" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth"
rm -f ca.srl
openssl verify -CAfile ca.crt server.crt client.crt >/dev/null
echo "mkcerts: test CA and certificates in $dir"
