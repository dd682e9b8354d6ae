"""Benchmarks of stadtgraph: synthetic planning graphs (:mod:`bench.synthetic`) and the measurements
that use them (``python -m bench`` for the foundation benchmark; see ``bench/README.md``).
"""
