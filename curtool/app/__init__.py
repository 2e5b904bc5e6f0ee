"""The app floor: the pipeline functions that are the Python API (and, in time, the CLI and options)."""
