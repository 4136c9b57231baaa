"""The child budget of a Dask frame: each partition computed where it lives, the exact partial sums merged in a tree.

Needs the extra ``[dask]``. Nothing here starts a cluster: the computation
runs on the scheduler Dask is set to use — a ``distributed.Client`` the
user made (a ``LocalCluster`` or any cluster), or Dask's default.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._errors import InputError
from .reference._labels import say

if TYPE_CHECKING:
    from ._partial import Partial
    from ._steps import Settings

__all__ = ["DaskSource"]

#: How many partial results one merge task adds (the fan-in of the reduction tree).
SPLIT_EVERY = 8


def _partition_partial(frame: Any, s: Settings, part: int, lines_to: Path | None) -> Partial:
    from ._dataset import _canonical
    from ._partial import partial_of

    canonical = _canonical(frame.reset_index(drop=True), f"<dask partition {part}>", 1, s.registry)
    return partial_of(canonical, s, lines_to=lines_to, part=part)


@dataclass(frozen=True)
class DaskSource:
    """A ``dask.dataframe.DataFrame`` of ledger lines (canonical column names)."""

    frame: Any
    name: str
    lines_to: Path | None = None

    @classmethod
    def of(cls, frame: Any, *, lines_to: str | Path | None) -> DaskSource:
        try:
            import dask  # noqa: F401
        except ImportError as exc:  # pragma: no cover - a Dask frame implies Dask
            raise InputError(say("dask.needed")) from exc
        if not hasattr(frame, "to_delayed") or not hasattr(frame, "columns"):
            raise InputError(say("arg.type", name="child_budget(ledger)", expected=say("what.dask_frame"), got=type(frame).__name__))
        from ._dataset import new_directory

        return cls(frame, f"<dask frame of {frame.npartitions} partitions>", new_directory(lines_to) if lines_to is not None else None)

    def partial(self, s: Settings) -> Partial:
        """Partitions computed with the settings shipped once, their partial sums merged ``SPLIT_EVERY`` at a time."""
        import dask

        from ._partial import merge

        settings = dask.delayed(s, pure=True)
        level = [dask.delayed(_partition_partial, pure=True)(p, settings, k, self.lines_to)
                 for k, p in enumerate(self.frame.to_delayed())]
        if not level:
            raise InputError(say("dask.no_partitions"))
        if len(level) == 1:  # one partition: its sums are unsorted until merged
            level = [dask.delayed(merge, pure=True)(level)]
        while len(level) > 1:
            level = [dask.delayed(merge, pure=True)(level[i:i + SPLIT_EVERY]) for i in range(0, len(level), SPLIT_EVERY)]
        (result,) = dask.compute(level[0])
        return result  # type: ignore[no-any-return]
