"""The demo bank: ``data/demo_bank.json`` loaded into an empty database, with a year of
release lifecycle replayed around it (``bank``, ``lifecycle``, ``history``, ``quarter``,
``timeline``). Used by ``envsched demo``, the tests and the benchmarks.
"""

from envsched.demo.bank import DEMO_FILE, load_demo

__all__ = ["DEMO_FILE", "load_demo"]
