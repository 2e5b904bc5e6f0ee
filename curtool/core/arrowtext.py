"""Arrow string arrays read where they lie: a chunk's offsets and bytes as numpy, no copy of the text."""

from __future__ import annotations

import numpy as np


def string_buffers(chunk) -> tuple[np.ndarray, np.ndarray]:
    """An Arrow string chunk's offsets (n + 1, into the data) and bytes, without a copy of the text."""
    import pyarrow as pa

    n = len(chunk)
    _, offsets_buf, data_buf = chunk.buffers()
    if offsets_buf is None:
        return np.zeros(n + 1, dtype=np.int64), np.zeros(0, dtype=np.uint8)
    wide = pa.types.is_large_string(chunk.type) or pa.types.is_large_binary(chunk.type)
    offsets = np.frombuffer(offsets_buf, dtype=np.int64 if wide else np.int32)
    offsets = offsets[chunk.offset : chunk.offset + n + 1].astype(np.int64)
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(0, dtype=np.uint8)
    return offsets, data
