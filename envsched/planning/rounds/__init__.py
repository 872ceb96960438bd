"""envsched.planning.rounds."""
