"""The nightly check: flags, reminders, recommendations, the run ledger and the scheduler."""
