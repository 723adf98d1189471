"""Units (applicants) and their credit records."""
