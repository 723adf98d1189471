"""Projects: applications, lifecycle transitions, plans, reports and imports."""
