"""Services: verbs that own their transaction, commit it, or raise a named domain error."""
