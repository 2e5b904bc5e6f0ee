"""curtool: classify, track and report citizen messages for regional management centres."""

__version__ = "0.1.0"
