"""envsched.transfer."""
