"""envsched.demo."""
