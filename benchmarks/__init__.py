"""Benchmarks of innocluster (importable so tests can use ``benchmarks.mesa_reference``)."""
