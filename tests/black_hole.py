"""A black-holed endpoint for timeout tests: a local TCP socket that accepts and never answers."""

from __future__ import annotations

import socket
import threading


class SilentEndpoint:
    """Accepts every connection on 127.0.0.1 and never reads or writes a byte.

    Attributes
    ----------
    sock : socket.socket
        The listening socket (its port is in ``url``).
    url : str
        ``http://127.0.0.1:<port>``, for an ``endpoint_url``.
    accepted : list of socket.socket
        The connections accepted so far, kept open until :meth:`close`.
    """

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.accepted: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:  # closed
                return
            self.accepted.append(conn)

    def close(self):
        self.sock.close()
        for conn in self.accepted:
            conn.close()
