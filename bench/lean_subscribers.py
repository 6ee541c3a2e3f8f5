"""Thousands of WebSocket subscribers in one process, cheap enough not to be the bottleneck.

python-socketio's client decodes every packet as JSON and runs a handler task for it; even
aiohttp's WebSocket makes a message object and a queue hop per frame. At 5,000 subscribers in
one process that costs the client more CPU per post than the servers spend delivering it, and
the measured latency becomes the client's own queue. These subscribers are asyncio protocols
that speak the few frames of WebSocket, Engine.IO 4 and Socket.IO 5 they need (open, connect,
subscribe with its acknowledgement, ping/pong) and note when a frame carrying a marker arrives,
without decoding it.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import struct
import time
from collections.abc import Callable
from urllib.parse import urlsplit

MARKER = re.compile(rb"bench [0-9a-f]{32}")


def _client_frame(text: str) -> bytes:
    """One masked text frame (a client must mask what it sends)."""
    payload = text.encode()
    mask = os.urandom(4)
    header = bytes([0x81])
    if len(payload) < 126:
        header += bytes([0x80 | len(payload)])
    else:
        header += bytes([0x80 | 126]) + struct.pack("!H", len(payload))
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return header + mask + masked


class LeanSubscriber(asyncio.Protocol):
    def __init__(self, host: str, room: str, on_marker: Callable[[str, float], None]):
        self.host, self.room, self.on_marker = host, room, on_marker
        self.buffer = b""
        self.upgraded = False
        self.subscribed = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport
        key = base64.b64encode(os.urandom(16)).decode()
        transport.write((
            "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
            f"Host: {self.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if not self.upgraded:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            if not self.buffer.startswith(b"HTTP/1.1 101"):
                self._fail(self.buffer[:200].decode(errors="replace"))
                return
            self.upgraded, self.buffer = True, self.buffer[end + 4:]
        while len(self.buffer) >= 2:
            length, start = self.buffer[1] & 0x7F, 2
            if length == 126:
                if len(self.buffer) < 4:
                    return
                length, start = struct.unpack("!H", self.buffer[2:4])[0], 4
            elif length == 127:
                if len(self.buffer) < 10:
                    return
                length, start = struct.unpack("!Q", self.buffer[2:10])[0], 10
            if len(self.buffer) < start + length:
                return
            opcode = self.buffer[0] & 0x0F
            payload, self.buffer = self.buffer[start:start + length], self.buffer[start + length:]
            if opcode == 0x1:
                self._packet(payload)
            elif opcode == 0x8:
                self.transport.close()
                return

    def _packet(self, packet: bytes) -> None:
        if packet.startswith(b"42"):
            found = MARKER.search(packet)
            if found:
                self.on_marker(found.group(0).decode(), time.perf_counter())
        elif packet == b"2":  # Engine.IO ping
            self.transport.write(_client_frame("3"))
        elif packet.startswith(b"0"):  # Engine.IO open: connect to the namespace "/"
            self.transport.write(_client_frame("40"))
        elif packet.startswith(b"40"):  # connected: subscribe, asking for an acknowledgement
            self.transport.write(_client_frame("421" + json.dumps(
                ["subscribe", {"room": self.room}])))
        elif packet.startswith(b"431"):
            if json.loads(packet[3:]) == [{"ok": True}]:
                self.subscribed.set_result(True)
            else:
                self._fail(packet.decode(errors="replace"))

    def _fail(self, why: str) -> None:
        if not self.subscribed.done():
            self.subscribed.set_exception(RuntimeError(f"subscriber refused: {why}"))
        self.transport.close()

    def connection_lost(self, exc) -> None:
        if not self.subscribed.done():
            self.subscribed.set_exception(ConnectionError(str(exc)))

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


async def _open(base: str, room: str, on_marker) -> LeanSubscriber:
    parts = urlsplit(base)
    loop = asyncio.get_running_loop()
    _, subscriber = await loop.create_connection(
        lambda: LeanSubscriber(parts.netloc, room, on_marker), parts.hostname, parts.port)
    await asyncio.wait_for(subscriber.subscribed, 60)
    return subscriber


async def open_lean(bases: list[str], room: str, count: int, batch: int,
                    on_marker: Callable[[str, float], None]) -> list[LeanSubscriber]:
    """count subscribers to room, round-robin over bases, batch connecting at a time."""
    subscribers: list[LeanSubscriber] = []
    try:
        for start in range(0, count, batch):
            subscribers += await asyncio.gather(*(
                _open(bases[i % len(bases)], room, on_marker)
                for i in range(start, min(count, start + batch))))
    except BaseException:
        close_lean(subscribers)
        raise
    return subscribers


def close_lean(subscribers: list[LeanSubscriber]) -> None:
    for subscriber in subscribers:
        subscriber.close()
