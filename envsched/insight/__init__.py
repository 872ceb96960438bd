"""envsched.insight."""
