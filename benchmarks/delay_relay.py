"""A TCP relay on 127.0.0.1 that gives a loopback connection a real round-trip time.

The kernel here has no netem, so the benchmark puts this relay between a proxy and the ESP stand-in:
every byte is held for half the round-trip time in each direction, and a new connection's first
bytes for one whole round trip more (what the TCP handshake costs before a client may send). A
request on a kept-alive connection therefore takes one round trip; a new TLS 1.3 connection plus its
request takes three, as over a real link.

    with DelayRelay(target_port=8443, rtt_seconds=0.020) as relay:
        relay.port   # connect here instead of 8443
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Optional

CHUNK = 65536


class DelayRelay:
    def __init__(self, target_port: int, rtt_seconds: float) -> None:
        self.target_port = target_port
        self.rtt = rtt_seconds
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: Optional[asyncio.AbstractServer] = None
        self._connections: set[asyncio.Task] = set()
        self._writers: set[asyncio.StreamWriter] = set()

    def __enter__(self) -> "DelayRelay":
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._relay, "127.0.0.1", 0), self._loop
        ).result(timeout=10)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def __exit__(self, *exc_info: object) -> None:
        async def close() -> None:
            assert self._server is not None
            self._server.close()
            # Cut the connections rather than cancel their tasks: each relay then ends as on a reset.
            for writer in self._writers:
                writer.transport.abort()
            await asyncio.wait_for(asyncio.gather(*self._connections, return_exceptions=True), timeout=10)

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    async def _relay(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        accepted = time.monotonic()
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            target_reader, target_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            client_writer.close()
            self._connections.discard(task)
            return
        # The handshake's round trip: nothing the client sends leaves before it is over.
        handshake_done = accepted + self.rtt
        self._writers |= {client_writer, target_writer}
        try:
            await asyncio.gather(
                self._pump(client_reader, target_writer, handshake_done),
                self._pump(target_reader, client_writer, accepted),
            )
        finally:
            for writer in (client_writer, target_writer):
                writer.close()
                self._writers.discard(writer)
            self._connections.discard(task)

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, not_before: float) -> None:
        """Copy ``reader`` to ``writer``, each chunk half a round trip after it was read (and not
        before ``not_before`` plus that), in order."""
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def deliver() -> None:
            while True:
                due, chunk = await queue.get()
                delay = due - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                if not chunk:
                    writer.close()
                    return
                writer.write(chunk)
                await writer.drain()

        delivery = asyncio.ensure_future(deliver())
        try:
            while True:
                try:
                    chunk = await reader.read(CHUNK)
                except ConnectionError:
                    chunk = b""  # a reset ends this direction like a close
                await queue.put((max(time.monotonic(), not_before) + self.rtt / 2, chunk))
                if not chunk:
                    break
            await delivery
        except ConnectionError:
            pass  # the other side is gone: nothing left to deliver
        finally:
            delivery.cancel()
