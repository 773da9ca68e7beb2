"""Exit 0 when the PostgreSQL server for the test suite answers, 1 otherwise (used by `make test`)."""

import os
import sys

url = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
try:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=3):
        pass
except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
    print(f"PostgreSQL not reachable at {url}: {exc.__class__.__name__}", file=sys.stderr)
    sys.exit(1)
