"""The memory allocator's settings for the command line and its worker processes (a module of its own: the
command line calls it at start-up, before it knows whether a command needs workers)."""
from __future__ import annotations

import sys

_TUNED = False


def tune_allocator() -> None:
    """Keep freed memory in the process instead of giving it back to the OS at once (glibc only; elsewhere
    nothing). numpy's large temporaries are otherwise mapped and unmapped on every call, and touching fresh pages
    cost duplicates about a third of its time in the kernel. Called by the command line and by every worker."""
    global _TUNED
    if _TUNED or not sys.platform.startswith("linux"):
        return
    _TUNED = True
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        libc.mallopt(-3, 256 * 1024 * 1024)  # M_MMAP_THRESHOLD: blocks below 256 MB come from the heap
        libc.mallopt(-1, 256 * 1024 * 1024)  # M_TRIM_THRESHOLD: free memory kept before trimming the heap
    except (OSError, AttributeError):
        pass  # not glibc (musl, another libc): its default behaviour
