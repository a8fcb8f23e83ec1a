"""``coopscore keys``: create, list and revoke API keys; ``bootstrap`` makes the first admin key."""

import argparse
import sys

from sqlmodel import Session

from app.database import get_writing_engine
from app.errors import AppError
from app.models.access import Role
from app.models.common import as_utc_text
from app.services.keys import create_key, has_keys, list_keys, revoke_key

CLI_ACTOR = "command line"


def _create(arguments: argparse.Namespace) -> int:
    with Session(get_writing_engine(), expire_on_commit=False) as session:
        try:
            row, key = create_key(
                session=session,
                name=arguments.name,
                role=Role(arguments.role),
                actor=CLI_ACTOR,
                expires_in_days=arguments.expires_in_days,
            )
        except AppError as error:
            print(error.detail, file=sys.stderr)
            return 1
    expiry = f", expires {as_utc_text(row.expires_at)}" if row.expires_at else ""
    print(f"Created the {row.role} key {row.name!r}{expiry}. It is shown this once; send it as X-API-Key:")
    print(key)
    return 0


def _list(_arguments: argparse.Namespace) -> int:
    with Session(get_writing_engine(), expire_on_commit=False) as session:
        rows = list_keys(session=session)
    if not rows:
        print("No keys yet: `coopscore keys create --name NAME --role admin` makes one.")
    for row in rows:
        state = (
            "revoked" if row.revoked_at else (f"expires {as_utc_text(row.expires_at)}" if row.expires_at else "live")
        )
        print(f"{row.name:30} {row.role:8} cs_{row.prefix}_...  {state}")
    return 0


def _revoke(arguments: argparse.Namespace) -> int:
    with Session(get_writing_engine(), expire_on_commit=False) as session:
        try:
            revoke_key(session=session, name=arguments.name, actor=CLI_ACTOR)
        except AppError as error:
            print(error.detail, file=sys.stderr)
            return 1
    print(f"Revoked the key {arguments.name!r}.")
    return 0


def _bootstrap(_arguments: argparse.Namespace) -> int:
    with Session(get_writing_engine(), expire_on_commit=False) as session:
        if has_keys(session):
            return 0
        _, key = create_key(session=session, name="admin", role=Role.admin, actor=CLI_ACTOR)
    print("Created the first admin key, 'admin'. It is shown this once; keep it (send it as X-API-Key):")
    print(f"  {key}")
    return 0


def add_key_commands(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Register ``coopscore keys create|list|revoke|bootstrap``."""
    keys = commands.add_parser("keys", help="manage API keys").add_subparsers(dest="keys_command", required=True)
    create = keys.add_parser("create", help="create a key and print it (once)")
    create.add_argument("--name", required=True, help="who or what the key is for; the actor in the audit trail")
    create.add_argument("--role", required=True, choices=[role.value for role in Role])
    create.add_argument("--expires-in-days", type=int, default=None)
    create.set_defaults(handler=_create)
    keys.add_parser("list", help="list the keys (never their secrets)").set_defaults(handler=_list)
    revoke = keys.add_parser("revoke", help="revoke a key for good")
    revoke.add_argument("name")
    revoke.set_defaults(handler=_revoke)
    bootstrap = keys.add_parser("bootstrap", help="create an admin key if there is no key at all, and print it")
    bootstrap.set_defaults(handler=_bootstrap)
