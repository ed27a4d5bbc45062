"""The ``keyworker`` command line: parse, call, print."""
