"""Keep SQLite's query planner informed: without statistics it picks poor indexes.

SQLite gathers no table statistics by itself, so after migrations (and bulk loads, which call
`refresh_query_statistics` themselves) we run ANALYZE. PostgreSQL's autovacuum does this already.
"""

from typing import Any

from django.db import connections


def refresh_query_statistics(*, using: str = "default") -> None:
    connection = connections[using]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def analyze_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    refresh_query_statistics(using=using)
