"""Load what every parse needs once, at import: the parser's modules, the segmenter (jieba's
dictionary, ~1 s to build), the IDF table and OpenCC.

The run's worker processes start from a forkserver that imports this module first
(run.py), so each worker forked from it begins with these in memory, shared
page for page, instead of building them again. Pure Python and single-threaded on purpose:
polars and pyarrow start threads at import, and a process with threads must not fork.
"""
from __future__ import annotations

import parsing.bulletin  # noqa: F401 - the parser's modules, imported for the workers
from parsing.index.keywords import _idf
from parsing.index.segment import segmenter
from parsing.text.lines import to_simplified


def warm() -> None:
    segmenter()
    _idf()
    to_simplified("")


warm()
