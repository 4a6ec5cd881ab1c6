"""A run's charts in memory, shown by Jupyter through its rich-display methods (no IPython
needed to build them)."""

from __future__ import annotations

import base64
import html
import os
from pathlib import Path
from typing import Dict, Union

__all__ = ["Chart", "Charts"]

_MIME = {"png": "image/png", "svg": "image/svg+xml"}


class Chart:
    """One chart: its ``name`` (the file stem in ``charts/``), ``format`` ("png" or "svg") and
    ``data`` (the file's bytes, as ``cascade run`` writes them)."""

    def __init__(self, name: str, format: str, data: bytes):
        self.name, self.format, self.data = name, format, data

    def save(self, path: Union[str, "os.PathLike[str]"]) -> Path:
        """Writes the chart's bytes to ``path``."""
        Path(path).write_bytes(self.data)
        return Path(path)

    def _repr_png_(self):
        return self.data if self.format == "png" else None

    def _repr_svg_(self):
        return self.data.decode("utf-8") if self.format == "svg" else None

    def _data_uri(self) -> str:
        return f"data:{_MIME[self.format]};base64,{base64.b64encode(self.data).decode('ascii')}"

    def __repr__(self) -> str:
        return f"<cascade.Chart {self.name!r} {self.format}, {len(self.data)} bytes>"


class Charts(Dict[str, Chart]):
    """The charts of a run by name; in a notebook, all of them one under the other."""

    def _repr_html_(self) -> str:
        parts = [
            f'<figure style="margin:0 0 1em 0"><figcaption>{html.escape(c.name)}</figcaption>'
            f'<img src="{c._data_uri()}" alt="{html.escape(c.name)}"/></figure>'
            for c in self.values()
        ]
        return "<div>" + "".join(parts) + "</div>"
