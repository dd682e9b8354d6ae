"""Helpers every bench shares: reading scale arguments (``10k``, ``1M``), naming them, peak memory, latency
percentiles."""
from __future__ import annotations

import resource
import statistics


def parse_scale(text: str) -> int:
    """``10k`` → 10_000, ``1M`` → 1_000_000, ``250000`` → 250_000.

    >>> parse_scale("1M"), parse_scale("10k"), parse_scale("2500")
    (1000000, 10000, 2500)
    """
    t = text.strip().lower().replace("_", "")
    return int(float(t.rstrip("km")) * {"k": 1_000, "m": 1_000_000}.get(t[-1:], 1))


def label(n: int) -> str:
    """The short name of a scale: ``1_000_000`` → ``1M``, ``100_000`` → ``100k``."""
    return f"{n // 1_000_000}M" if n >= 1_000_000 and n % 1_000_000 == 0 else f"{n // 1000}k"


def peak_rss() -> int:
    """Peak resident memory of this process, in bytes (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def percentiles(samples: list[float], width: int = 6) -> str:
    """p50 and p99 of latencies in seconds, as milliseconds."""
    ordered = sorted(samples)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    return f"p50 {p50:{width}.2f} ms  p99 {p99:{width}.2f} ms"
