"""After ``fork`` the child has a copy of the library's memory but none of its threads (the engine
thread, the feeder). Freeing or using an inherited client there would wait forever for a thread
that does not exist, or on a lock a vanished thread held. So in the child every inherited client
and report is disowned: never freed (the parent still owns the real ones), and unusable with a
clear StateError. Create new clients in the child — or better, use the ``spawn`` start method."""

from __future__ import annotations

import os
import weakref
from typing import Protocol


class Disownable(Protocol):
    def disown_after_fork(self) -> None: ...


_owners: "weakref.WeakSet[Disownable]" = weakref.WeakSet()


def track(owner: Disownable) -> None:
    _owners.add(owner)


def _after_fork_in_child() -> None:
    for owner in list(_owners):
        owner.disown_after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
