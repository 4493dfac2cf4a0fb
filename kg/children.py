"""Child processes that end with their parent.

A worker process (extraction, queries) whose parent is killed with SIGKILL
would otherwise live on, holding memory and the parent's stderr (a caller
reading it would wait for the worker). :func:`watch_parent` starts a thread
that ends the process as soon as its parent is gone.

>>> import os
>>> watch_parent(os.getppid(), interval=60).daemon
True
"""
from __future__ import annotations

import os
import threading

#: Seconds between two looks at the parent.
INTERVAL = 0.5


def watch_parent(parent: int | None = None, *, interval: float = INTERVAL) -> threading.Thread:
    """End this process (exit status 1) once ``parent`` (default: the current parent) is gone.

    The parent is gone when this process has been handed to another one
    (``os.getppid()`` changes: the parent died, whatever killed it).
    """
    parent = os.getppid() if parent is None else parent

    def watch() -> None:
        stop = threading.Event()
        while not stop.wait(interval):
            if os.getppid() != parent:
                os._exit(1)

    thread = threading.Thread(target=watch, name="kg-watch-parent", daemon=True)
    thread.start()
    return thread
