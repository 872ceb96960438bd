"""envsched.lifecycle."""
