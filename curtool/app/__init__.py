"""The app floor: the options, the pipeline functions that are the Python API, the CLI and the console."""
