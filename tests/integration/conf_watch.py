#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Conference watcher for t_conf_sipp.sh (RFC 4575 over UDP).

conf_watch.py PROXY_PORT LOCAL_PORT USER PASSWORD ROOM DOMAIN SECS [TARGET]

SUBSCRIBEs (Event: conference, digest auth on a 407) to
sip:ROOM@DOMAIN through the proxy on 127.0.0.1:PROXY_PORT, answers
every NOTIFY 200 and prints its <user-count>, for SECS seconds; then
unsubscribes (Expires: 0) and waits for the terminating NOTIFY. Prints
one line: "counts: 0 1 3 ... terminated" and exits 0 when the
subscription was accepted and terminated. With TARGET, once a NOTIFY
says 3 users it REFERs the room to sip:TARGET@DOMAIN (RFC 3515, out of
dialog, digest on a 407) and adds "refer: 202 100 200" (the REFER's
answer, then each sipfrag status the focus NOTIFYs).
"""
import hashlib
import random
import re
import socket
import sys
import time


def md5(s):
    return hashlib.md5(s.encode()).hexdigest()


def hdr(msg, name):
    m = re.search(r'^%s:\s*(.*?)\r$' % re.escape(name), msg, re.M | re.I)
    return m.group(1) if m else None


def main(argv):
    pport, lport, user, pw, room, dom, secs = argv[1:8]
    target = argv[8] if len(argv) > 8 else None
    pport, lport, secs = int(pport), int(lport), float(secs)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(('127.0.0.1', lport))
    s.settimeout(0.2)
    proxy = ('127.0.0.1', pport)
    cid = '%08x@watch' % random.getrandbits(32)
    tag = '%08x' % random.getrandbits(32)
    ruri = 'sip:%s@%s' % (room, dom)
    state = {'cseq': 0, 'totag': '', 'route': [], 'target': ruri}

    rcid = '%08x@refer' % random.getrandbits(32)
    rinfo = {'cseq': 0, 'sent': False, 'log': []}

    def refer(auth=None):
        rinfo['cseq'] += 1
        lines = ['REFER %s SIP/2.0' % ruri,
                 'Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%08x;rport'
                 % (lport, random.getrandbits(32)),
                 'Max-Forwards: 70',
                 'From: <sip:%s@%s>;tag=r%s' % (user, dom, tag),
                 'To: <%s>' % ruri, 'Call-ID: %s' % rcid,
                 'CSeq: %d REFER' % rinfo['cseq'],
                 'Contact: <sip:%s@127.0.0.1:%d>' % (user, lport),
                 'Refer-To: <sip:%s@%s>' % (target, dom)]
        if auth:
            lines.append(auth)
        lines += ['Content-Length: 0', '', '']
        s.sendto('\r\n'.join(lines).encode(), proxy)

    def digest(msg, method):
        ch = [l for l in msg.split('\r\n') if l.lower().startswith(
            'proxy-authenticate:') and 'MD5' in l]
        realm = re.search(r'realm="([^"]*)"', ch[0]).group(1)
        nonce = re.search(r'nonce="([^"]*)"', ch[0]).group(1)
        cn = '%08x' % random.getrandbits(32)
        ha1 = md5('%s:%s:%s' % (user, realm, pw))
        ha2 = md5('%s:%s' % (method, ruri))
        rsp = md5('%s:%s:00000001:%s:auth:%s' % (ha1, nonce, cn, ha2))
        return ('Proxy-Authorization: Digest username="%s", realm="%s", '
                'nonce="%s", uri="%s", response="%s", algorithm=MD5, '
                'qop=auth, nc=00000001, cnonce="%s"'
                % (user, realm, nonce, ruri, rsp, cn))

    def subscribe(expires, auth=None):
        state['cseq'] += 1
        lines = ['SUBSCRIBE %s SIP/2.0' % state['target'],
                 'Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%08x;rport'
                 % (lport, random.getrandbits(32))]
        lines += ['Route: %s' % r for r in state['route']]
        lines += ['Max-Forwards: 70',
                  'From: <sip:%s@%s>;tag=%s' % (user, dom, tag),
                  'To: <%s>%s' % (ruri, ';tag=' + state['totag']
                                  if state['totag'] else ''),
                  'Call-ID: %s' % cid, 'CSeq: %d SUBSCRIBE' % state['cseq'],
                  'Contact: <sip:%s@127.0.0.1:%d>' % (user, lport),
                  'Event: conference', 'Expires: %d' % expires]
        if auth:
            lines.append(auth)
        lines += ['Content-Length: 0', '', '']
        s.sendto('\r\n'.join(lines).encode(), proxy)

    def answer(msg, addr):
        keep = [l for l in msg.split('\r\n') if re.match(
            r'(Via|From|To|Call-ID|CSeq):', l, re.I)]
        s.sendto(('SIP/2.0 200 OK\r\n' + '\r\n'.join(keep) +
                  '\r\nContent-Length: 0\r\n\r\n').encode(), addr)

    counts, terminated, accepted = [], False, False
    subscribe(600)
    end, unsub = time.time() + secs, False
    while time.time() < end + 5:
        if not unsub and time.time() >= end:
            subscribe(0)
            unsub = True
        try:
            data, addr = s.recvfrom(65535)
        except socket.timeout:
            continue
        msg = data.decode(errors='replace')
        first = msg.split('\r\n', 1)[0]
        method = (hdr(msg, 'CSeq') or ' ').split()[-1]
        if first.startswith('SIP/2.0 407'):
            if method == 'REFER':
                refer(digest(msg, 'REFER'))
            else:
                subscribe(600, digest(msg, 'SUBSCRIBE'))
        elif first.startswith('SIP/2.0 ') and method == 'REFER':
            if not first.startswith('SIP/2.0 1'):
                rinfo['log'].append(first.split()[1])
        elif first.startswith('SIP/2.0 2') and 'SUBSCRIBE' in (
                hdr(msg, 'CSeq') or ''):
            accepted = True
            if not state['totag']:
                state['totag'] = re.search(r'tag=([^;>\s]+)',
                                           hdr(msg, 'To')).group(1)
                rr = re.findall(r'^Record-Route:\s*(.*?)\r$', msg, re.M)
                state['route'] = list(reversed(
                    [x.strip() for r in rr for x in r.split(',')]))
                c = re.search(r'<([^>]*)>', hdr(msg, 'Contact') or '')
                if c:
                    state['target'] = c.group(1)
        elif first.startswith('NOTIFY') and (hdr(msg, 'Event') or
                                             '').startswith('refer'):
            answer(msg, addr)
            m = re.search(r'SIP/2.0 (\d+)', msg.split('\r\n\r\n', 1)[-1])
            if m:
                rinfo['log'].append(m.group(1))
        elif first.startswith('NOTIFY'):
            answer(msg, addr)
            m = re.search(r'<user-count>(\d+)</user-count>', msg)
            if m:
                counts.append(m.group(1))
                if target and m.group(1) == '3' and not rinfo['sent']:
                    rinfo['sent'] = True
                    refer()
            if 'terminated' in (hdr(msg, 'Subscription-State') or ''):
                terminated = True
                break
    print('counts: %s%s%s' % (' '.join(counts),
                              ' terminated' if terminated else '',
                              '; refer: ' + ' '.join(rinfo['log'])
                              if target else ''))
    return 0 if accepted and terminated else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv))
