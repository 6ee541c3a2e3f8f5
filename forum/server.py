"""What `python wsgi.py` serves with: gevent's WSGI server, answering without Nagle's delay,
with a small read buffer per connection.

gevent's server writes a response's headers and body separately; with Nagle's algorithm on, the
second write waits for the client's delayed ACK of the first, about 40 ms, on every keep-alive
request. That capped the whole server near 16 connections / 40 ms = 400 requests/s whatever the
page cost. Gunicorn sets TCP_NODELAY itself; this handler does the same for `python wsgi.py`.
"""

from __future__ import annotations

import socket

from gevent import pywsgi


# gevent gives each connection a read buffer of io.DEFAULT_BUFFER_SIZE (8 KB), held for the
# connection's whole life: a WebSocket (which reads its socket directly) keeps it for nothing.
# Request lines and headers are read a line at a time and bodies in large reads, which pass
# the buffer by, so 2 KB costs no speed and saves 6 KB on each held connection.
READ_BUFFER_BYTES = 2048


class NoDelayHandler(pywsgi.WSGIHandler):
    def __init__(self, sock, address, server):
        super().__init__(sock, address, server, rfile=sock.makefile("rb", READ_BUFFER_BYTES))

    def handle(self):
        try:
            self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except (OSError, AttributeError):
            pass  # not TCP (a Unix socket): nothing to turn off
        super().handle()
