"""The key that signs sessions, CSRF tokens and calendar feed URLs: one for every process.

``ENVSCHED_SECRET_KEY`` when it is set. Otherwise a key made once and kept in the file
``secret_key`` of the instance folder (``ENVSCHED_INSTANCE_PATH``), which every process
reads: gunicorn's workers sign alike, and sessions and feed URLs outlive a restart.

The file is written whole to a private temporary file and then linked into place, which
fails if the file exists: of processes starting at the same moment, one key wins and
every process reads that one. It is created owner-only (0600) and refused when others may
read it, as ssh refuses a private key.
"""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
from pathlib import Path

from envsched.errors import ConfigError
from envsched.settings import Settings

KEY_FILE = "secret_key"
KEY_BYTES = 32
VARIABLE = "ENVSCHED_SECRET_KEY"
logger = logging.getLogger(__name__)


def secret_key(settings: Settings) -> str:
    """The app's key: the setting, or the one kept in the instance folder."""
    if settings.secret_key:
        return settings.secret_key
    return kept_key(key_path(settings))


def key_path(settings: Settings) -> Path:
    return Path(settings.instance_path).resolve() / KEY_FILE


def kept_key(path: Path) -> str:
    """The key in ``path``, made there first if there is none yet."""
    if not path.exists():
        _make(path)
    return _read(path)


def _make(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{KEY_FILE}.")  # 0600
    try:
        with os.fdopen(handle, "w") as file:
            file.write(secrets.token_hex(KEY_BYTES) + "\n")
            file.flush()
            os.fsync(file.fileno())
        os.link(temporary, path)
        logger.info("made a secret key in %s (set %s to use your own)", path, VARIABLE)
    except FileExistsError:
        pass  # another process made it a moment ago: its key is everyone's
    finally:
        os.unlink(temporary)


def _read(path: Path) -> str:
    if os.name == "posix" and path.stat().st_mode & 0o077:
        raise ConfigError(
            VARIABLE,
            f"is not set, and others may read the key kept in {path} "
            f"(mode {path.stat().st_mode & 0o777:o}): "
            f"chmod 600 {path}",
        )
    key = path.read_text(encoding="utf-8", errors="replace").strip()
    if len(key) < KEY_BYTES:
        raise ConfigError(
            VARIABLE,
            f"is not set, and the key kept in {path} is shorter than "
            f"{KEY_BYTES} characters: delete the file to make a new one",
        )
    return key
