"""The PostgreSQL server scripts/pg-test-store.sh starts under `make test` (PG_URL): a fresh database per use."""

import os
import subprocess
import uuid
from urllib.parse import urlsplit, urlunsplit

PG_URL = os.environ.get("PG_URL")
#: Every server is three replicas behind a round-robin front (`ZOTD_E2E_ROUND_ROBIN=1`, see conftest.py).
ROUND_ROBIN = bool(os.environ.get("ZOTD_E2E_ROUND_ROBIN")) and bool(PG_URL)


def fresh_database() -> str:
    """The URL of a new, empty database on the test server."""
    name = f"zotd_e2e_{uuid.uuid4().hex[:12]}"
    subprocess.run(["psql", "-X", "-q", PG_URL, "-c", f"CREATE DATABASE {name}"], check=True)
    parts = urlsplit(PG_URL)
    return urlunsplit(parts._replace(path=f"/{name}"))


def shared_storage(root, database_url) -> dict:
    return {"rootDirectory": str(root), "remoteCache": True,
            "cacheDriver": {"name": "postgresql", "url": database_url}}
