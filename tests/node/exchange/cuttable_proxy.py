"""A TCP proxy on 127.0.0.1 that a test can cut and restore: a network partition.

One node's peer address for another is pointed at the proxy, so only that direction
(that node's calls to that peer) goes through it. While **cut**, nothing is forwarded
either way, as when a link drops packets: bytes already sent wait in the sockets,
connections opened meanwhile are accepted but not connected onward, and the caller only
finds out through its own deadlines. **Restored**, the held bytes flow and held
connections are connected onward, as TCP retransmission would deliver them once the link
is back. Mutual TLS runs end to end through it (the proxy only moves bytes, and the
server certificate names 127.0.0.1, whatever the port).

Usage::

    with CuttableProxy(("127.0.0.1", port)) as proxy:
        address = proxy.address      # "127.0.0.1:<its port>"
        proxy.cut(); ...; proxy.restore()
"""

from __future__ import annotations

import select
import socket
import threading
from types import TracebackType
from typing import Final

STEP: Final = 0.1
"""Seconds a thread waits before looking at the cut and stop flags again."""
CONNECT_DEADLINE: Final = 5.0


class CuttableProxy:
    """Forwards every connection made to :attr:`address` to ``target`` (host, port)."""

    def __init__(self, target: tuple[str, int]) -> None:
        self._target = target
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(STEP)
        self.port: int = self._listener.getsockname()[1]
        self._open = threading.Event()  # set: forwarding; clear: cut
        self._open.set()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self.connections = 0
        """Connections accepted so far (a test can see its traffic really went through)."""
        self._spawn(self._accept_loop, "proxy-accept")

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def cut(self) -> None:
        self._open.clear()

    def restore(self) -> None:
        self._open.set()

    def close(self) -> None:
        """Stop every thread and close every socket (idempotent)."""
        self._stop.set()
        self._open.set()
        with self._lock:
            sockets, self._sockets = self._sockets, []
            threads = list(self._threads)
        for sock in sockets:
            _close(sock)
        for thread in threads:
            thread.join(timeout=5.0)
        self._listener.close()

    def __enter__(self) -> CuttableProxy:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _spawn(self, target: object, name: str, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)  # type: ignore[arg-type]
        with self._lock:
            self._threads.append(thread)
        thread.start()

    def _keep(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            self._keep(client)
            self._spawn(self._connect, "proxy-conn", client)

    def _connect(self, client: socket.socket) -> None:
        while not self._open.wait(STEP):  # opened during a cut: held until restored
            if self._stop.is_set():
                return
        try:
            upstream = socket.create_connection(self._target, timeout=CONNECT_DEADLINE)
        except OSError:
            _close(client)
            return
        self._keep(upstream)
        self._spawn(self._pump, "proxy-up", client, upstream)
        self._pump(upstream, client)

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        """Copy ``source`` to ``sink`` while open; at EOF or an error close both."""
        try:
            while not self._stop.is_set():
                if not self._open.wait(STEP):
                    continue  # cut: leave the bytes where they are
                readable, _, _ = select.select([source], [], [], STEP)
                if not readable or not self._open.is_set():
                    continue  # nothing yet, or cut meanwhile: a cut forwards nothing
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        finally:
            _close(source)
            _close(sink)


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
