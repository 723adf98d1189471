"""Sign-in: passwords, two-factor codes, lock-out, browser sessions and API tokens."""
