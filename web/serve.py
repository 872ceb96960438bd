"""Run the app on waitress, a production WSGI server (Flask's own is for development only).

``envsched serve`` calls ``run`` through ``importlib`` so that ``envsched`` keeps no
import of ``web`` (dependencies point down: ``web → envsched``).
"""

from __future__ import annotations

import logging

import waitress

from envsched.settings import Settings
from web import create_app

DEFAULT_THREADS = 8


def run(settings: Settings, *, host: str, port: int, threads: int = DEFAULT_THREADS) -> None:
    """Serve until interrupted; the engine is built once, shared by the worker threads."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    app = create_app(settings)
    print(f"envsched is serving on http://{host}:{port}/ (Ctrl+C stops it)", flush=True)
    waitress.serve(app, host=host, port=port, threads=threads, ident="envsched")
