"""The io floor: every format in and out (readers, writers, side files)."""
