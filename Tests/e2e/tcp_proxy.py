"""Proxies between a test and what it talks to: a TCP forwarder the outage tests cut and restore (S3 in
test_s3_storage.py and PostgreSQL in test_postgres_replicas.py behind it, as zotd sees them when the network or
the server goes away), and a round-robin HTTP front for the replica tests."""

import http.client
import http.server
import socket
import threading
from urllib.parse import urlsplit


class CuttableProxy:
    """A TCP forwarder to an endpoint (a URL, `scheme://host:port...`) that a test can cut, as an outage would
    (open connections dropped, new ones closed at once), and restore."""

    def __init__(self, endpoint):
        target = urlsplit(endpoint)
        self.target = (target.hostname, target.port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.to_drop = 0
        self.sockets = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up or self.to_drop > 0:
                self.to_drop = max(0, self.to_drop - 1)
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self):
        self.up = False
        with self.lock:
            for s in self.sockets:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            self.sockets = []

    def restore(self, dropping=0):
        """Forwards again, after closing the next `dropping` connections at once."""
        self.to_drop = dropping
        self.up = True

    def close(self):
        self.cut()
        self.listener.close()


class RoundRobinProxy:
    """An HTTP front for several registries that sends each request to the next one in turn, as a load balancer
    without stickiness would: a client's upload, manifest and pull requests land on every replica."""

    HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}

    def __init__(self, ports):
        proxy = self
        self.ports = list(ports)
        self.served = [0] * len(self.ports)
        self.next = 0
        self.lock = threading.Lock()

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _body(self):
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    body = b""
                    while size := int(self.rfile.readline().split(b";")[0].strip(), 16):
                        body += self.rfile.read(size)
                        self.rfile.readline()
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return body
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _forward(self):
                body = self._body()
                with proxy.lock:
                    index = proxy.next
                    proxy.next = (proxy.next + 1) % len(proxy.ports)
                    proxy.served[index] += 1
                headers = {k: v for k, v in self.headers.items() if k.lower() not in proxy.HOP_BY_HOP}
                if body or self.command in ("POST", "PUT", "PATCH"):
                    headers["Content-Length"] = str(len(body))
                upstream = http.client.HTTPConnection("127.0.0.1", proxy.ports[index], timeout=120)
                upstream.request(self.command, self.path, body=body, headers=headers)
                answer = upstream.getresponse()
                data = answer.read()
                self.send_response_only(answer.status, answer.reason)
                for key, value in answer.getheaders():
                    if key.lower() not in proxy.HOP_BY_HOP and key.lower() != "content-length":
                        self.send_header(key, value)
                self.send_header("Content-Length", answer.getheader("Content-Length", str(len(data))))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
                upstream.close()

            do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = _forward

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
