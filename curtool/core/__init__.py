"""The core floor: pure frame → result functions; no file access, no printing, no CLI."""
