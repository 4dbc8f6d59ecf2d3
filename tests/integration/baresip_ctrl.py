#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Drive two baresip instances through their ctrl_tcp modules (netstring
JSON): A dials B (auto-answer), the call is held for a second and hung
up, then A sends a MESSAGE to its current contact (B). Exit 0 when both
sides saw the call established and closed. Usage:
  baresip_ctrl.py CTRL_PORT_A CTRL_PORT_B TARGET_URI MESSAGE_TEXT
"""
import json
import socket
import sys
import time


class Ctrl:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""
        self.events = []

    def send(self, command, params=""):
        j = json.dumps({"command": command, "params": params,
                        "token": command}).encode()
        self.s.sendall(b"%d:%s," % (len(j), j))

    def poll(self, timeout):
        self.s.settimeout(timeout)
        try:
            self.buf += self.s.recv(65536)
        except socket.timeout:
            return
        while b":" in self.buf:
            n, rest = self.buf.split(b":", 1)
            if len(rest) < int(n) + 1:
                break
            self.events.append(json.loads(rest[:int(n)]))
            self.buf = rest[int(n) + 1:]

    def wait(self, etype, timeout):
        end = time.time() + timeout
        while time.time() < end:
            for e in self.events:
                if e.get("type") == etype:
                    return True
            self.poll(0.2)
        return False


def main():
    a, b = Ctrl(int(sys.argv[1])), Ctrl(int(sys.argv[2]))
    a.send("dial", sys.argv[3])
    ok = a.wait("CALL_ESTABLISHED", 15) and b.wait("CALL_ESTABLISHED", 5)
    print("call established:", ok)
    time.sleep(1)
    a.send("hangup")
    closed = a.wait("CALL_CLOSED", 10) and b.wait("CALL_CLOSED", 10)
    print("call closed:", closed)
    a.send("message", sys.argv[4])
    time.sleep(1)
    a.poll(0.5)
    return 0 if ok and closed else 1


if __name__ == "__main__":
    sys.exit(main())
