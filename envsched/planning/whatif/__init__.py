"""What-ifs: a copy of the live state, typed changes to it, both plans, and how they
differ. ``service`` holds the verbs; reached through ``envsched.planning``."""
