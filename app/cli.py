"""The ``coopscore`` command: migrate the database, load the seed data, manage API keys."""

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlmodel import Session

from app.cli_keys import add_key_commands
from app.database import get_writing_engine
from app.migrations import upgrade
from app.settings import get_settings
from seeds.files import DEFAULT_PATH, SeedError, read_seeds
from seeds.loader import is_empty, load_seeds


def _migrate(_arguments: argparse.Namespace) -> int:
    url = get_settings().database_url
    upgrade(url)
    print(f"Database migrated to the latest revision: {_redacted(url)}")
    return 0


def _seed(arguments: argparse.Namespace) -> int:
    path: Path = arguments.path or DEFAULT_PATH
    try:
        data = read_seeds(path)
    except SeedError as error:
        print(error, file=sys.stderr)
        return 1
    with Session(get_writing_engine()) as session:
        if arguments.if_empty and not is_empty(session):
            print("The database holds data already: seeding skipped (--if-empty).")
            return 0
        report = load_seeds(session, data)
    print(f"Seed data from {path}:")
    for line in report.lines():
        print(f"  {line}")
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
    seed = commands.add_parser("seed", help="load the seed data: instruments, indicators, observations, rubrics")
    seed.add_argument("--path", type=Path, default=None, help="directory of seed files (default: the shipped ones)")
    seed.add_argument(
        "--if-empty", action="store_true", help="seed only a database without any data; leave any other alone"
    )
    seed.set_defaults(handler=_seed)
    add_key_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``coopscore`` command."""
    arguments = build_parser().parse_args(argv)
    code: int = arguments.handler(arguments)
    return code


if __name__ == "__main__":
    sys.exit(main())
