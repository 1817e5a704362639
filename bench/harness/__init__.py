"""Pieces of the perf harness: the emulator handle, the contenders, measured runs, the report."""
