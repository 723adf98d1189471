"""Delivery of what the outbox holds, after commit, with retries."""
