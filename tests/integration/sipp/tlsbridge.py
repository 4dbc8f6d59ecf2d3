#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Loopback TCP <-> TLS relay for the SIPp TLS test: Debian's SIPp is
built without TLS, so SIPp speaks TCP to this bridge and the bridge speaks
TLS to refd (and back). Every accepted connection gets its own outgoing
one. Usage:
  tlsbridge.py tcp2tls LISTEN_PORT TARGET_PORT
  tlsbridge.py tls2tcp LISTEN_PORT TARGET_PORT CERT KEY
"""
import asyncio
import ssl
import sys


async def pipe(r, w):
    try:
        while True:
            d = await r.read(65536)
            if not d:
                break
            w.write(d)
            await w.drain()
    except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
        pass
    finally:
        try:
            w.close()
        except Exception:
            pass


async def main():
    mode, lport, tport = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    cli = ssl.create_default_context()
    cli.check_hostname = False
    cli.verify_mode = ssl.CERT_NONE
    srv = None
    if mode == "tls2tcp":
        srv = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        srv.load_cert_chain(sys.argv[4], sys.argv[5])

    async def handle(r, w):
        tr, tw = await asyncio.open_connection(
            "127.0.0.1", tport, ssl=cli if mode == "tcp2tls" else None)
        await asyncio.gather(pipe(r, tw), pipe(tr, w))

    s = await asyncio.start_server(handle, "127.0.0.1", lport, ssl=srv)
    async with s:
        await s.serve_forever()


asyncio.run(main())
