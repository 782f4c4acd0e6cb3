"""来源: where every published figure came from, one row per figure × school × source cell
with the value read from that cell, for filtering in Excel; and the links to the returns,
written relative to the workbook's folder so that they still work when the folder (the
returns beside it) is moved or copied to another computer."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from .charts import Published
from .formats import Formats, fit_row, page_setup

SOURCES_SHEET = "来源"
MAX_URLS = 65_530  # Excel's limit of hyperlinks on one worksheet
# More rows than this go to a CSV file instead (all of them): a sheet of a province's
# millions of rows is past Excel's 1,048,576, and long before that slow to write, open and
# filter (xlsxwriter writes about 10,000 rows a second).
SHEET_ROWS = 200_000
_HEAD = [
    "表号",
    "行",
    "列",
    "年度",
    "指标",
    "学校",
    "值",
    "文件",
    "工作表",
    "单元格",
    "状态",
]
_WIDTHS = [6.0, 14.0, 16.0, 6.0, 16.0, 18.0, 10.0, 40.0, 14.0, 8.0, 10.0]
_CELL = ["school_id", "file", "sheet", "cell"]


class Linker:
    """`external:` links to a return (at its sheet and cell): relative to the workbook's
    folder `links_from` (absolute only where no relative path exists, another drive on
    Windows), for a file that is where the run read it (`base`)."""

    def __init__(self, base: Path | None, links_from: Path | None):
        self.base = base
        self.links_from = links_from.resolve() if links_from is not None else None
        self._paths: dict[str, str] = {}

    def _target(self, file: str) -> str:
        if file not in self._paths:
            self._paths[file] = self._find(file)
        return self._paths[file]

    def _find(self, file: str) -> str:
        if self.base is None:
            return ""
        path = Path(file) if Path(file).is_absolute() else self.base / file
        try:
            if not path.is_file():
                return ""
            path = path.resolve()
        except OSError:
            return ""
        if self.links_from is None:
            return str(path)
        try:
            return Path(os.path.relpath(path, self.links_from)).as_posix()
        except ValueError:  # another drive: no relative path
            return str(path)

    def __call__(self, file: str, sheet: str = "", cell: str = "") -> str:
        if not file:
            return ""
        target = self._target(file)
        if not target:
            return ""
        if sheet and cell and "+" not in cell and ":" not in cell:
            target += f"#'{sheet.replace(chr(39), chr(39) * 2)}'!{cell}"
        return "external:" + target if len(target) < 2000 else ""


@dataclass
class Sources:
    """The rows of 来源, and where each 数据 row's figure starts in it."""

    frame: pl.DataFrame  # one row per (figure number, school, cell), in 来源's order
    first: dict[int, int]  # figure number → its first row in 来源 (0-based, under the header)
    count: dict[int, tuple[int, int]]  # figure number → (schools, cells)
    # (file, sheet, cell) → what a corrections row said of it: who corrected what and why
    corrected: dict[tuple[str, str, str], str] = field(default_factory=dict)
    elsewhere: str = ""  # how the CSV file holding the rows is named, when not in the sheet

    def place(self, n: int) -> str:
        """Where figure number n's first row is, said in words (when not in the sheet)."""
        return f"{self.elsewhere} 第 {self.first[n] + 2} 行起" if self.elsewhere else ""


def _cell_columns() -> list[pl.Expr]:
    """Where a cell is (school, file, sheet, cell) as categories: a province's 来源 has
    millions of rows naming a few hundred thousand cells, each name held once."""
    return [pl.col(c).cast(pl.Utf8).cast(pl.Categorical) for c in _CELL]


def cell_values(facts) -> pl.DataFrame:
    """Every extracted cell → its value, raw text and status (first of a cell read twice)."""
    frames = [
        df.select(
            *_cell_columns(),
            pl.col("value"),
            pl.col("text").cast(pl.Utf8),
            pl.col("status").cast(pl.Utf8),
        )
        for df in facts.parts.values()
    ]
    if not frames:
        return pl.DataFrame(
            schema={
                **dict.fromkeys(_CELL, pl.Categorical),
                "value": pl.Float64,
                "text": pl.Utf8,
                "status": pl.Utf8,
            }
        )
    return pl.concat(frames, how="vertical_relaxed").unique(subset=_CELL, keep="first")


def collect(rows: list[Published], facts) -> Sources:
    """The source cells of every published figure (a change: both years'), numbered as the
    figures of `rows` with an indicator, in that order."""
    parts = []
    n = 0
    for _table, _row, _col, cell, _scope in rows:
        if cell.indicator is None:
            continue
        for fig in (cell.figure, cell.prev):
            if fig is None:
                continue
            for frame, used in ((fig.cells, True), (fig.flawed, False)):
                if frame.height:
                    parts.append(
                        frame.select(*_cell_columns()).with_columns(
                            pl.lit(n, pl.Int32).alias("figure"),
                            pl.lit(fig.year, pl.Int32).alias("year"),
                            pl.lit(used).alias("used"),
                        )
                    )
        n += 1
    if not parts:
        return Sources(pl.DataFrame(), {}, {}, _corrections(facts))
    cells = (
        pl.concat(parts)
        .unique(subset=["figure", "year", *_CELL], keep="first", maintain_order=True)
        .join(cell_values(facts), on=_CELL, how="left")
        .sort(["figure", "year", "school_id", "file", "sheet", "cell"], nulls_last=True)
    )
    figures = cells["figure"].to_list()
    first: dict[int, int] = {}
    for i, f in enumerate(figures):
        first.setdefault(f, i)
    counted = cells.group_by("figure").agg(
        pl.col("school_id").drop_nulls().n_unique().alias("schools"), pl.len().alias("cells")
    )
    count = {f: (s, c) for f, s, c in counted.iter_rows()}
    return Sources(cells, first, count, _corrections(facts))


def _corrections(facts) -> dict[tuple[str, str, str], str]:
    return {
        (i.file, i.sheet, i.cell): i.message
        for _, i in getattr(facts, "issues", ())
        if i.code == "corrected" and i.cell
    }


def _labels(rows: list[Published]) -> list[tuple[str, str, str, str]]:
    """Each figure with an indicator, by its number: table, row, column, indicator title."""
    return [
        (table_id, row_label, col_label, cell.indicator.title)
        for table_id, row_label, col_label, cell, _scope in rows
        if cell.indicator is not None
    ]


def _status(used: bool, correction: str | None) -> str:
    if not used:
        return "未采用（有错误）"
    return f"已更正：{correction}" if correction else "采用"


def write_sources_sheet(
    wb,
    rows: list[Published],
    sources: Sources,
    fm: Formats,
    names: dict[str, str],
    link: Linker,
) -> None:
    """来源: one row per figure × school × cell, the value read from that cell, the file
    linked (opened at the cell); filters and a frozen header."""
    ws = wb.add_worksheet(SOURCES_SHEET)
    ws.write_row(0, 0, _HEAD, fm.header)
    fit_row(ws, 0, list(zip(_HEAD, _WIDTHS, strict=True)))
    if sources.elsewhere:
        ws.write_string(
            1,
            0,
            f"来源共 {sources.frame.height:,} 行，多于 {SHEET_ROWS:,} 行（工作表中难以筛选），全部写在"
            f" {sources.elsewhere} 中：用 Excel 打开，可按表号、行、列筛选。",
            fm.plain,
        )
        ws.set_column(0, 0, 100)
        return
    labels = _labels(rows)
    r, urls = 1, 0
    frame = sources.frame
    link_format = wb.add_format({**fm.base, "font_color": "blue", "underline": 1})  # one line
    for row in frame.iter_rows(named=True) if frame.height else ():
        table_id, row_label, col_label, title = labels[row["figure"]]
        sid = row["school_id"] or ""
        ws.write_row(r, 0, (table_id, row_label, col_label, str(row["year"]), title))
        ws.write_string(r, 5, names.get(sid, sid) or "全市")
        if row["value"] is not None:
            ws.write_number(r, 6, row["value"])
        elif row["text"]:
            ws.write_string(r, 6, row["text"])  # a text or code field
        file, sheet, cell = row["file"] or "", row["sheet"] or "", row["cell"] or ""
        url = link(file, sheet, cell) if urls < MAX_URLS else ""
        if url:
            tip = f"打开这个文件，定位到 {sheet}!{cell}"
            ws.write_url(r, 7, url, link_format, string=file, tip=tip)
            urls += 1
        else:
            ws.write_string(r, 7, file)
        correction = sources.corrected.get((file, sheet, cell))
        ws.write_row(r, 8, (sheet, cell, _status(row["used"], correction)))
        r += 1
    if r == 1:
        ws.write_string(1, 0, "没有来自报表单元格的数字。", fm.plain)
    ws.autofilter(0, 0, max(r - 1, 1), len(_HEAD) - 1)
    ws.freeze_panes(1, 0)
    for i, w in enumerate(_WIDTHS):
        ws.set_column(i, i, w)
    page_setup(ws, _WIDTHS, 0)


def too_long(sources: Sources) -> bool:
    """More rows than a sheet of 来源 should hold."""
    return sources.frame.height > SHEET_ROWS


_CSV_CHUNK = 250_000  # rows turned into text at a time: the file is written in parts


def write_sources_csv(
    rows: list[Published], sources: Sources, names: dict[str, str], path: Path
) -> None:
    """Every row of 来源, with its headers, as a CSV file Excel opens (UTF-8 with BOM, CRLF;
    text Excel would run as a formula starts with '). Written a part at a time: a
    province's millions of rows are never all in memory as text."""
    from ...extraction.export import formula_safe

    labels = _labels(rows)
    figure = pl.DataFrame(
        {
            "figure": list(range(len(labels))),
            **{k: [x[i] for x in labels] for i, k in enumerate(_HEAD[:3])},
            _HEAD[4]: [x[3] for x in labels],
        },
        schema={"figure": pl.Int32, **dict.fromkeys((*_HEAD[:3], _HEAD[4]), pl.Utf8)},
    )
    corrected = pl.DataFrame(
        {
            "file": [k[0] for k in sources.corrected],
            "sheet": [k[1] for k in sources.corrected],
            "cell": [k[2] for k in sources.corrected],
            "correction": list(sources.corrected.values()),
        },
        schema=dict.fromkeys(("file", "sheet", "cell", "correction"), pl.Utf8),
    )
    with open(path, "wb") as f:
        for start in range(0, max(sources.frame.height, 1), _CSV_CHUNK):
            part = _csv_rows(sources.frame.slice(start, _CSV_CHUNK), figure, corrected, names)
            # a number stays a number (-5 is no formula); a text read from a cell is made safe
            part = formula_safe(part.drop(_HEAD[6])).with_columns(
                pl.coalesce(part[_HEAD[6]], formula_safe(part.select("_text"))["_text"]).alias(
                    _HEAD[6]
                )
            )
            part.select(_HEAD).write_csv(
                f,
                include_bom=start == 0,
                include_header=start == 0,
                line_terminator="\r\n",
                quote_style="necessary",
            )


def _csv_rows(
    frame: pl.DataFrame, figure: pl.DataFrame, corrected: pl.DataFrame, names: dict[str, str]
) -> pl.DataFrame:
    """Rows of 来源 as the text the sheet would show."""
    value = pl.col("value")
    whole = value.is_not_null() & (value == value.round(0)) & (value.abs() < 1e15)
    return (
        frame.with_columns(pl.col(c).cast(pl.Utf8) for c in _CELL)
        .join(figure, on="figure", how="left", maintain_order="left")
        .join(corrected, on=["file", "sheet", "cell"], how="left", maintain_order="left")
        .select(
            *_HEAD[:3],
            pl.col("year").cast(pl.Utf8).alias(_HEAD[3]),
            _HEAD[4],
            pl.col("school_id")
            .replace_strict(names, default=pl.col("school_id"), return_dtype=pl.Utf8)
            .replace("", None)
            .fill_null("全市")
            .alias(_HEAD[5]),
            pl.when(whole)
            .then(value.cast(pl.Int64, strict=False).cast(pl.Utf8))
            .otherwise(value.cast(pl.Utf8))
            .alias(_HEAD[6]),
            pl.col("text").alias("_text"),
            pl.col("file").fill_null("").alias(_HEAD[7]),
            pl.col("sheet").fill_null("").alias(_HEAD[8]),
            pl.col("cell").fill_null("").alias(_HEAD[9]),
            pl.when(~pl.col("used"))
            .then(pl.lit(_status(False, None)))
            .when(pl.col("correction").is_not_null())
            .then(pl.lit("已更正：") + pl.col("correction"))
            .otherwise(pl.lit(_status(True, None)))
            .alias(_HEAD[10]),
        )
    )
