"""The benchmark of issue 6: synthetic programmes, the nightly check and the CLI timed."""
