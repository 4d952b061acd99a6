"""How long a request to the endpoints may be, and why the server must be told.

Tornado's HTTP/1 server reads a request's line and headers with a bound
(``max_header_size``, 64 KiB by default) and, past it, closes the connection without an
answer: a 100 KB query string got no status and no message at all. Jupyter server builds
that server with tornado's default and has no setting for it. So the extension raises the
bound of the server it runs in to :data:`HEADER_BYTES` (1 MiB) once the server exists, and
its own handlers answer any address longer than :data:`MAX_URI_BYTES` with a JSON 414
(``code: input``) that says how long it was and what the limit is.

The server-wide bound stays finite on purpose: tornado searches the whole buffered header
again for its end on every chunk read, so its cost grows with the square of the size. A
request line over 1 MiB (longer than browsers send) is still dropped by tornado unanswered.
"""

from __future__ import annotations

__all__ = ["HEADER_BYTES", "MAX_URI_BYTES", "raise_header_limit", "too_long_message"]

#: The request line plus headers the Jupyter server reads before answering (tornado's
#: default, 64 KiB, drops longer requests unanswered).
HEADER_BYTES = 1024 * 1024
#: The longest address (path and query) the endpoints take. Their longest honest value is
#: a ``next_token`` (SageMaker's are at most 8,192 characters, up to three times that once
#: percent-encoded); a job name is at most 63 characters.
MAX_URI_BYTES = 32 * 1024


def raise_header_limit(server_app) -> bool:
    """Let ``server_app``'s HTTP server read requests up to :data:`HEADER_BYTES` (never
    lowering a larger bound). Returns False when the app has no HTTP server of its own
    (a test's, or one started with ``new_httpserver=False``)."""
    try:
        params = server_app.http_server.conn_params
    except AttributeError:
        return False
    # Read for every new connection (HTTPServer.handle_stream), so this holds from the next.
    params.max_header_size = max(params.max_header_size or 0, HEADER_BYTES)
    return True


def too_long_message(uri_bytes: int) -> str | None:
    """The one-line refusal of an address of ``uri_bytes`` bytes, or None when it is fine."""
    if uri_bytes <= MAX_URI_BYTES:
        return None
    return (f"the request's address is {uri_bytes:,} bytes long; these endpoints take at "
            f"most {MAX_URI_BYTES:,} (a job name is at most 63 characters): shorten the "
            "name filter or the page token.")
