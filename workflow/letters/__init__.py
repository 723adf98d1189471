"""Warning letters and the contractor's review and rectification follow-up."""
