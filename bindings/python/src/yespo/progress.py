"""Progress bars: :func:`tqdm_progress` turns the ``progress`` callback into a tqdm bar.

    with yespo.tqdm_progress(desc="contacts") as bar:
        report = client.upsert_dataframe(df, progress=bar)

tqdm is optional: it is imported when the adapter is made (``pip install tqdm``).
"""

from __future__ import annotations

import importlib
from typing import Any, Optional

from .report import Progress


class TqdmProgress:
    """A ``progress=`` callback that drives one tqdm bar: rows with a final outcome against the
    input's length (when known), and accepted / rejected / invalid / retries as its postfix. The
    bar is made at the first call and closed at the last (``done``); also a context manager."""

    def __init__(self, total: Optional[int] = None, *, tqdm_class: Any = None, **tqdm_kwargs: Any) -> None:
        if tqdm_class is None:
            try:
                tqdm_class = importlib.import_module("tqdm.auto").tqdm
            except ImportError:
                raise ImportError("yespo.tqdm_progress needs tqdm: pip install tqdm") from None
        self._tqdm_class = tqdm_class
        self._total = total
        self._kwargs = {"unit": "rows", "unit_scale": True, "dynamic_ncols": True, **tqdm_kwargs}
        self.bar: Any = None
        self.last: Optional[Progress] = None

    def __call__(self, p: Progress) -> None:
        self.last = p
        if self.bar is None:
            self.bar = self._tqdm_class(total=self._total if self._total is not None else p.total,
                                        **self._kwargs)
        done = p.rows_done
        if done > self.bar.n:
            self.bar.update(done - self.bar.n)
        self.bar.set_postfix(accepted=p.accepted, rejected=p.rejected, invalid=p.invalid,
                             retries=p.retries, refresh=False)
        if p.done:
            self.close()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()

    def __enter__(self) -> "TqdmProgress":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def tqdm_progress(total: Optional[int] = None, **tqdm_kwargs: Any) -> TqdmProgress:
    """A ``progress=`` callback showing a tqdm bar (``tqdm.auto``: a widget in notebooks).
    ``total`` defaults to the input's length when the upsert knows it (lists, DataFrames);
    other keywords go to tqdm (``desc=``, ``file=``, ``disable=``, ``tqdm_class=``...)."""
    return TqdmProgress(total, **tqdm_kwargs)
