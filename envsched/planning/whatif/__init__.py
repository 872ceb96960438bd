"""envsched.planning.whatif."""
