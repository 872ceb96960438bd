"""envsched.booking."""
