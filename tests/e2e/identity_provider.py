"""The SSO tests' identity provider: the certified ``oidc-provider`` (npm) in a node process.

``tests/oidc_provider`` holds its ``package.json``, ``package-lock.json`` and the script;
the first use installs the locked packages with ``npm ci`` (CI does it up front). Node and
npm missing is a failure, never a skip. Accounts live in a JSON file the provider reads
on every look-up, so a test changes someone's groups between two sign-ins with
``set_account``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

PROVIDER_DIR = Path(__file__).parents[1] / "oidc_provider"
CLIENT_ID, CLIENT_SECRET = "envsched-tests", "a-client-secret-for-the-tests"
LISTENING = "listening "


@dataclass(frozen=True)
class IdentityProvider:
    issuer: str
    accounts: Path

    def set_account(self, login: str, password: str, *groups: str, name: str = "") -> None:
        known = json.loads(self.accounts.read_text())
        known[login] = {"password": password, "groups": list(groups), "name": name or login}
        self.accounts.write_text(json.dumps(known))


def install() -> None:
    """``npm ci`` into ``tests/oidc_provider`` unless the locked package is there."""
    if (PROVIDER_DIR / "node_modules" / "oidc-provider" / "package.json").exists():
        return
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        pytest.fail(
            "the SSO tests need node (20 or later) and npm: apt-get install nodejs npm",
            pytrace=False,
        )
    subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=PROVIDER_DIR, check=True)


@contextmanager
def identity_provider(redirect_uri: str, folder: Path) -> Iterator[IdentityProvider]:
    """A provider on a free port of 127.0.0.1 that knows one client: envsched at
    ``redirect_uri``. Stopped on exit."""
    install()
    accounts = folder / "accounts.json"
    accounts.write_text("{}")
    env = {
        **os.environ,
        "PORT": "0",
        "ACCOUNTS_FILE": str(accounts),
        "CLIENT_ID": CLIENT_ID,
        "CLIENT_SECRET": CLIENT_SECRET,
        "REDIRECT_URI": redirect_uri,
    }
    process = subprocess.Popen(
        ["node", "provider.js"],
        cwd=PROVIDER_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield IdentityProvider(_issuer(process), accounts)
    finally:
        process.terminate()
        process.wait()
        assert process.stdout is not None
        process.stdout.close()


def _issuer(process: subprocess.Popen[str]) -> str:
    """The issuer the provider prints once it listens (its warnings come first)."""
    assert process.stdout is not None
    said = []
    for line in process.stdout:
        if line.startswith(LISTENING):
            return line[len(LISTENING) :].strip()
        said.append(line)
    pytest.fail(
        "the identity provider stopped before it listened:\n" + "".join(said), pytrace=False
    )
