#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# RFC 4475 torture messages over UDP to a running refd (tests/data/rfc4475):
# valid ones never answered 400, invalid ones 400 (responses dropped), the
# semantic ones as the RFC says (505, 483, 416, 420), and refd still answers
# OPTIONS after each one. Exit 0 on SIGTERM.
set -eu
. "$(dirname "$0")/lib.sh"
lib_tmp t_torture
p=$(lib_port)
lib_refd_ini "$p" off example.com
lib_refd_start
set +e
python3 tests/integration/torture.py tests/data/rfc4475 "$p"
rc=$?
kill -TERM "$pid"; wait "$pid"; src=$?; pid=
set -e
grep "sip:" "$tmp/refd.log" || true
echo "refd exit $src"
[ "$rc" = 0 ] && [ "$src" = 0 ]
