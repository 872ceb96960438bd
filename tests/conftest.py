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

pytest_plugins = [
    "tests.fixtures.database",
    "tests.fixtures.web",
    "tests.web.api_world",
    "tests.web.page_world",
    "tests.envsched.receivers",
    "tests.envsched.health_server",
]
