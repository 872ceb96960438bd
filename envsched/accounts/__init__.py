"""envsched.accounts."""
