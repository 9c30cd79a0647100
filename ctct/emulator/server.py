"""The threaded HTTP server: parse, authenticate, pace, inject faults, route, record, answer.

Two facts keep a stdlib server fast on loopback: HTTP/1.1 keep-alive, and TCP_NODELAY
(`disable_nagle_algorithm`), without which each response waits on the client's delayed ACK.
"""
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from .http import API, OAUTH, ApiError, Request, Response, standard_error

MAX_BODY_BYTES = 16 * 1024 * 1024


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "ctct-emulator"
    sys_version = ""

    def log_message(self, format, *args):  # silence per-request stderr logging
        pass

    def _serve(self):
        emulator = self.server.emulator
        parts = urlsplit(self.path)
        length = self.headers.get("Content-Length")
        try:
            length = int(length) if length else 0
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY_BYTES:
            self._send(Response(413, [{"error_key": "api.payload_too_large", "error_message": "Request body too large."}]), close=True)
            return
        body = self.rfile.read(length) if length else b""
        outcome = emulator.dispatch(self.command, parts.path, parts.query, self.headers, body)
        if outcome is None:  # an injected dropped connection
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self._send(outcome)

    def _send(self, response, close=False):
        payload = response.encode()
        self.send_response(response.status)
        if payload or response.status not in (204, 304):
            self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if payload and self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_TRACE = _serve


class EmulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address, emulator):
        self.emulator = emulator
        super().__init__(address, _Handler)


def run_handler(route, request):
    """Call a route's handler and normalise what it returns into a Response."""
    try:
        result = route.handler(request)
    except ApiError as err:
        return Response(err.status, err.payload())
    if isinstance(result, Response):
        return result
    if isinstance(result, tuple):
        status, body = result
        return Response(status, body)
    return Response(200, result)


def error_response(err):
    return Response(err.status, err.payload())


def json_dumps(obj):
    return json.dumps(obj, separators=(",", ":"))


__all__ = ["EmulatorHTTPServer", "run_handler", "error_response", "API", "OAUTH", "Request", "standard_error"]
