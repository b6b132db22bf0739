"""`hue-ioc source check|init`: the citizen app's PostgreSQL, validated against its source contract up front.

The DSN is a secret and comes from the environment (HUE_IOC_PG_DSN, or a DSN without a password and libpq's
PGPASSWORD); the schema and the mapping file are settings (HUE_IOC_PG_SCHEMA, HUE_IOC_PG_MAPPING) that
``--schema`` / ``--mapping`` override. Nothing printed contains a password."""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "source",
        help="kiểm tra / khởi tạo CSDL nguồn của ứng dụng · check or initialise the app's PostgreSQL source",
        description="Cơ sở dữ liệu của ứng dụng Hue-S · the citizen app's PostgreSQL. `check` validates the "
                    "connection, the tables, the columns and the mapping file, one line per problem (exit 1 when "
                    "there is any); `init` creates the default layout (postgres.sql) in the schema.",
    )
    p.add_argument("action", choices=("check", "init"))
    p.add_argument("--schema", help="lược đồ / the app's schema (default: setting pg_schema)")
    p.add_argument("--mapping", help="tệp ánh xạ / mapping file, YAML (default: setting pg_mapping, else the "
                                     "default layout)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import psycopg

    from core.settings import mask_dsn, settings
    from pipelines.sources.mapping import MappingError, load_mapping
    from pipelines.sources.postgres import PostgresReportSource, SourceError, create_schema

    s = settings()
    schema = args.schema or s.pg_schema
    mapping_path = args.mapping or s.pg_mapping
    where = f"{mask_dsn(s.pg_dsn)} schema {schema}"
    if args.action == "init":
        try:
            with psycopg.connect(s.pg_dsn, connect_timeout=10) as conn:
                create_schema(conn, schema)
        except psycopg.Error as exc:
            print(f"hue-ioc source init: {where}: {mask_dsn(str(exc).strip(), s.pg_dsn)}", file=sys.stderr)
            return 1
        print(f"default layout ready in {where}: hues_reports, hues_report_events, hues_units, hues_categories "
              "(with _txid and the hues_touch trigger)")
        return 0
    try:
        mapping = load_mapping(mapping_path)
    except MappingError as exc:
        print(str(exc))
        return 1
    src = PostgresReportSource(s.pg_dsn, schema, mapping)
    try:
        problems = src.check()
    except (SourceError, psycopg.Error) as exc:
        problems = [mask_dsn(str(exc).strip(), s.pg_dsn)]
    for line in problems:
        print(line)
    if problems:
        print(f"{len(problems)} problem(s) with the source {where} (mapping {mapping.origin})", file=sys.stderr)
        return 1
    with psycopg.connect(s.pg_dsn, connect_timeout=10) as conn:
        mode = src.capture_mode(src.layout(conn))
    print(f"ok: {where}, mapping {mapping.origin}, change capture {mode}")
    return 0
