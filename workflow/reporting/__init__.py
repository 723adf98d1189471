"""The contractor's documents: the progress ledger, periodic reports and charts."""
