"""The progress line of ``kg build`` on a terminal: documents parsed, and the time left.

The line advances once per document (the CLI then extracts one document a
batch, see ``kg.cli.build``). The time left is the input still to parse
divided by the rate measured so far, in bytes of input files a second, from
the first document on: the time before it (loading the spaCy model, starting
the workers) is not parsing and would make the rate look slower than it is.
Until two documents are in, the line says it is still estimating.

>>> estimate([(10.0, 1000)], 5000) is None
True
>>> estimate([(10.0, 1000), (12.0, 3000)], 5000)  # 1,000 bytes a second, 2,000 to go
2.0
>>> duration(3725.0)
'1 h 02 min'
>>> duration(65.4)
'1 min 05 s'
>>> duration(7.2)
'7 s'
"""
from __future__ import annotations

import os
import time
from typing import Any, Callable, TextIO

__all__ = ["ProgressLine", "estimate", "duration"]

WIDTH = 24


def estimate(samples: list[tuple[float, int]], total: int) -> float | None:
    """Seconds left to reach ``total`` bytes, from ``(time, bytes done)`` samples; None if unknown."""
    if len(samples) < 2:
        return None
    (t0, b0), (t1, b1) = samples[0], samples[-1]
    if t1 <= t0 or b1 <= b0:
        return None
    return max(0.0, (total - b1) * (t1 - t0) / (b1 - b0))


def duration(seconds: float) -> str:
    """A short human duration."""
    seconds = int(round(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
    if seconds >= 60:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds} s"


def _size(path: Any) -> int:
    try:
        return os.path.getsize(path)
    except (OSError, TypeError):
        return 0


class ProgressLine:
    """One line on ``stream``, rewritten after each document (``document``), closed by ``close``."""

    def __init__(self, files: list[Any], stream: TextIO, clock: Callable[[], float] = time.monotonic):
        self.total = len(files)
        self.total_bytes = sum(_size(f) for f in files) or 1
        self.stream, self.clock = stream, clock
        self.done = self.done_bytes = 0
        self.samples: list[tuple[float, int]] = []
        self.started = clock()
        self._width = 0
        self._write(f"Parsing 0/{self.total} documents (loading the model)")

    def _write(self, text: str) -> None:
        pad = " " * max(0, self._width - len(text))
        self._width = len(text)
        self.stream.write("\r" + text + pad)
        self.stream.flush()

    def line(self) -> str:
        share = min(1.0, self.done_bytes / self.total_bytes)
        filled = int(round(share * WIDTH))
        text = f"Parsing {self.done}/{self.total} documents [{'#' * filled}{'.' * (WIDTH - filled)}] {share:4.0%}"
        if self.done >= self.total:
            return text + f" in {duration(self.clock() - self.started)}; writing the store and the graph"
        left = estimate(self.samples, self.total_bytes)
        return text + ("  estimating the time left" if left is None else f"  about {duration(left)} left")

    def document(self, doc: Any) -> None:
        self.done += 1
        self.done_bytes += _size(getattr(doc, "path", None))
        self.samples.append((self.clock(), self.done_bytes))
        self._write(self.line())

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()
