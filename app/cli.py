"""The ``coopscore`` command: migrate the database, and (later) load seed data and manage keys."""

import argparse
import sys
from collections.abc import Sequence

from app.migrations import upgrade
from app.settings import get_settings


def _migrate(_arguments: argparse.Namespace) -> int:
    url = get_settings().database_url
    upgrade(url)
    print(f"Database migrated to the latest revision: {_redacted(url)}")
    return 0


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="coopscore", description="Run and maintain the coopscore service.")
    commands = parser.add_subparsers(dest="command", required=True)
    migrate = commands.add_parser("migrate", help="apply the database migrations (COOPSCORE_DATABASE_URL)")
    migrate.set_defaults(handler=_migrate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``coopscore`` command."""
    arguments = build_parser().parse_args(argv)
    code: int = arguments.handler(arguments)
    return code


if __name__ == "__main__":
    sys.exit(main())
