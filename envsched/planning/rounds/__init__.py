"""A planning round: the scenario seen from now, the solver's plan, what it changes
(``diff``), the trouble ahead (``flags``), its proposals and accepting them (``apply``),
one round at a time (``runlock``), and a run in words. Reached through
``envsched.planning``."""
