"""Tables as grids of cells, shared by the readers of web pages and Word files: a merged
cell's text once, at the top-left position it covers, the other positions empty; logical
columns aligned; columns where no cell with text starts dropped."""
from __future__ import annotations


def compact_grid(grid: list[list[tuple[str, bool]]]) -> list[list[str]]:
    """Rows of (text, starts here) cells → rows of cell texts with the empty grid columns gone.

    Tables glued one under another into one table (附表1 … 附表5 with their own columns)
    are compacted each on its own: the rows are cut at rows with one filled cell (a
    caption, a title, a section row) that follow a row of several, and neighbouring
    pieces are joined again when their rows of several cells share a cell layout (start
    columns), so section rows inside one table do not cut it.
    """
    def filled(row: list[tuple[str, bool]]) -> int:
        return sum(1 for text, start in row if start and text.strip())

    def signature(row: list[tuple[str, bool]]) -> tuple[int, ...]:
        return tuple(j for j, (_, start) in enumerate(row) if start)

    runs: list[list[list[tuple[str, bool]]]] = []
    current: list[list[tuple[str, bool]]] = []
    previous_multi = False
    for row in grid:
        n = filled(row)
        if n and n < 2 and previous_multi and current:
            runs.append(current)
            current = []
        current.append(row)
        if n:
            previous_multi = n >= 2
    if current:
        runs.append(current)
    # runs whose rows of several cells share a cell layout are one table cut by section rows
    segments: list[list[list[tuple[str, bool]]]] = []
    layouts: list[set[tuple[int, ...]]] = []
    for run in runs:
        sigs = {signature(r) for r in run if filled(r) >= 2}
        if segments and (not layouts[-1] or not sigs or layouts[-1] & sigs):
            segments[-1].extend(run)
            layouts[-1] |= sigs
        else:
            segments.append(list(run))
            layouts.append(sigs)
    out: list[list[str]] = []
    for seg in segments:
        width = max((len(r) for r in seg), default=0)
        keep = [j for j in range(width) if any(j < len(r) and r[j][1] and r[j][0].strip() for r in seg)]
        out.extend([r[j][0] if j < len(r) else "" for j in keep] for r in seg)
    return out
