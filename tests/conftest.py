"""The test suite's fixtures, registered once for every test directory.

* ``tests.fixtures.database`` — a fresh, migrated database of each backend (SQLite and
  PostgreSQL) per test: ``backend``, ``database_url``, ``engine``, ``sessions``, and the
  ``make_*`` row factories;
* ``tests.fixtures.web`` — the app on that database, its client, users per role;
* ``tests.web.api_world`` — the API tests' ``world`` and ``call``;
* ``tests.web.page_world`` — the page tests' ``estate``;
* ``tests.envsched.receivers`` — a webhook ``receiver`` and a settable ``clock``;
* ``tests.envsched.health_server`` — a local HTTP server the health probes look at.
"""

import pytest

pytest_plugins = [
    "tests.fixtures.database",
    "tests.fixtures.web",
    "tests.web.api_world",
    "tests.web.page_world",
    "tests.envsched.receivers",
    "tests.envsched.health_server",
]

# Files of few tests that take minutes each (browsers, a worker process, fuzzing, a load
# bench, property runs), longest first. The suite's command (``-n 2 --dist loadfile
# --no-loadscope-reorder``) hands files to the two processes in collection order, so these
# go first and the run ends on short files: xdist's own order (most tests first) would
# leave them all for the end, one process finishing them while the other idles.
# test_phone_and_words.py reads the words of every page on a demo of its own, so what the
# other browser tests change on the shared demo never reaches it, whatever the order.
FIRST = (
    "tests/e2e/test_phone_and_words.py",
    "tests/e2e/test_accessibility.py",
    "tests/e2e/test_sso_flow.py",
    "tests/web/test_worker.py",
    "tests/web/test_api_fuzz.py",
    "tests/test_load_bench.py",
    "tests/envsched/test_rulebook_machine.py",
    "tests/solver/test_planner_properties.py",
    "tests/e2e/",
)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run ``FIRST``'s files first, in its order; the rest keep the collection's order."""

    def rank(item: pytest.Item) -> int:
        path = item.nodeid.split("::")[0]
        return next((i for i, first in enumerate(FIRST) if path.startswith(first)), len(FIRST))

    items.sort(key=rank)  # stable: each file's tests keep their order
