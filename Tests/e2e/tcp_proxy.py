"""A TCP forwarder the outage tests cut and restore: S3 (test_s3_storage.py) and PostgreSQL
(test_postgres_replicas.py) behind it, as zotd sees them when the network or the server goes away."""

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
