"""Transfer: environments, releases and bookings to and from CSV and Excel, and a
scenario file loaded into an empty database.

``tables`` reads and writes the files, ``kinds`` says what each holds, ``rows`` and
``releases`` read the rows; ``scenario_import`` is the reverse of
``envsched.planning.mapping``. Other packages and ``web`` call what this face exports
(docs/design.md, "Feature packages").
"""

from envsched.transfer.kinds import KINDS
from envsched.transfer.scenario_import import ensure_empty, import_scenario
from envsched.transfer.tables import export_table, import_table

__all__ = [
    "KINDS",
    "ensure_empty",
    "export_table",
    "import_scenario",
    "import_table",
]
