"""envsched.planning."""
