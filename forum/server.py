"""What `python wsgi.py` serves with: gevent's WSGI server, answering without Nagle's delay.

gevent's server writes a response's headers and body separately; with Nagle's algorithm on, the
second write waits for the client's delayed ACK of the first, about 40 ms, on every keep-alive
request. That capped the whole server near 16 connections / 40 ms = 400 requests/s whatever the
page cost. Gunicorn sets TCP_NODELAY itself; this handler does the same for `python wsgi.py`.
"""

from __future__ import annotations

import socket

from gevent import pywsgi


class NoDelayHandler(pywsgi.WSGIHandler):
    def handle(self):
        try:
            self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except (OSError, AttributeError):
            pass  # not TCP (a Unix socket): nothing to turn off
        super().handle()
