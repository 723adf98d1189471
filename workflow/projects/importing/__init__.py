"""Import of many applications from CSV and xlsx files: every row or none."""
