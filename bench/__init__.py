"""Cardfile's benchmarks: each module measures one thing beside a baseline timed in the same run.

Run one with ``.venv/bin/python -m bench.<module> [--rows N] [--backend sqlite|postgres]``, or
all of them at full size with ``.venv/bin/python -m bench.run_all``. See ``bench/RESULTS.md``.
"""
