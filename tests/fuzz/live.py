"""``make fuzz``: Schemathesis, stateful phase included, against a real uvicorn server on a seeded database.

python -m tests.fuzz.live [--max-examples N] [-- any other schemathesis run options]
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from sqlmodel import Session

from app.database import get_writing_engine
from app.main import create_app
from app.migrations import upgrade
from seeds.files import DEFAULT_PATH, read_seeds
from seeds.loader import load_seeds
from tests.servers import admin_key, forget_database, serve, use_database


def main(arguments: list[str]) -> int:
    """Serve a freshly seeded SQLite database and run ``schemathesis run`` against it; its exit code."""
    examples = "200"
    if arguments[:1] == ["--max-examples"]:
        examples, arguments = arguments[1], arguments[2:]
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'fuzz.db'}"
        upgrade(url)
        # The fuzzer sends thousands of requests a minute with one key: rate limits would only hide operations.
        os.environ["COOPSCORE_REQUESTS_PER_MINUTE"] = "1000000"
        use_database(url)
        with Session(get_writing_engine(), expire_on_commit=False) as session:
            load_seeds(session, read_seeds(DEFAULT_PATH))
        key = admin_key("fuzzer")
        with serve(create_app()) as base:
            command = [
                str(Path(sys.executable).parent / "schemathesis"),
                "run",
                f"{base}/openapi.json",
                "--header",
                f"X-API-Key: {key}",
                "--max-examples",
                examples,
                "--exclude-checks",
                "positive_data_acceptance",
                *arguments,
            ]
            code = subprocess.run(command, check=False).returncode
        forget_database()
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
