"""envsched.inventory."""
