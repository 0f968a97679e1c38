"""The command line: ``python -m fenxiao``."""
