"""envsched.audit."""
