"""The performance evaluation (绩效评价): indicators with targets, their values, evaluations."""
