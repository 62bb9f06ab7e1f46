"""What every benchmark in bench/ sets up the same way: production-like settings and a
throwaway PostgreSQL database. Imported by the scripts beside it (run as `python bench/X.py`,
so this folder is on the import path); not a test, and pytest never collects this folder."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "bench-only-secret-key-not-for-any-real-site-0123456789abcdef"  # noqa: S105


def base_environment(*, database_url: str, var_dir: Path, **extra: str) -> dict[str, str]:
    """Production-like settings (DEBUG off) with everything kept under `var_dir`, for the
    bench's own process and any server it starts. PostgreSQL when `database_url` is given,
    else SQLite in `var_dir`. `extra` adds or overrides settings."""
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "STATIC_MANIFEST": "0",
        "VAR_DIR": str(var_dir),
        "MEDIA_ROOT": str(var_dir / "media"),
        "STATIC_ROOT": str(var_dir / "static"),
        "LOG_LEVEL": "WARNING",
        **extra,
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _pg_admin_url(url: str) -> tuple[str, str]:
    """The server's `postgres` database, and the name of the bench's own database."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name or "bench" not in name:
        raise SystemExit(
            f"Refusing to create and drop database {name!r}: its name must contain 'bench'."
        )
    return urlunsplit(parts._replace(path="/postgres")), name


def pg_recreate(url: str, *, drop_only: bool = False) -> None:
    """Drop the database `url` names (its name must contain 'bench') and create it again, or
    only drop it."""
    import psycopg
    from psycopg import sql

    admin, name = _pg_admin_url(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        if not drop_only:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A Markdown table, as docs/performance.md quotes them."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def interrupt(signum: int, frame: Any) -> None:
    """Signal handler: SIGTERM ends a bench like Ctrl+C, so it cleans up after itself."""
    raise KeyboardInterrupt
