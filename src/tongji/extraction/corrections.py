"""Manual corrections: figures a statistician has checked with a school (by phone, by a
corrected fax) and writes down with a reason, instead of editing the school's file.

A corrections file (`更正.csv` or `.xlsx`, named by the job or `--corrections`) has one
row per correction and these columns:

    学校, 年度, 文件, 工作表, 单元格, 数据集, 字段, 键, 值, 原因, 更正人

A row names the figure by the cell it was read from (文件, 工作表, 单元格: the file as
the findings name it, or only its file name), or by its record (学校, 数据集, 字段 and,
for a dataset with keys, 键 such as `base_type=公共实习实训基地`). The corrected figure
keeps its original cell and text in the lineage, its rule says who corrected it and why,
and a finding says so in 数据质量; a finding about the cell it replaces (the malformed
number) is kept, marked as corrected, and no longer counts as an error. A row that names
no figure is a finding too, never silently ignored.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from pathlib import Path, PurePath

from ..errors import ConfigError, ConfigProblem
from ..findings import INFO, Issue, issue
from . import clean
from .figures import decode_keys
from .records import ExtractResult, Value
from .roster import Roster

COLUMNS = (
    "学校",
    "年度",
    "文件",
    "工作表",
    "单元格",
    "数据集",
    "字段",
    "键",
    "值",
    "原因",
    "更正人",
)
REQUIRED = ("年度", "值", "原因")


@dataclass(frozen=True)
class Correction:
    line: int  # its row in the file (the header is row 1)
    school: str
    year: int
    file: str
    sheet: str
    cell: str
    dataset: str
    field: str
    keys: str
    value: str
    reason: str
    who: str

    @property
    def by_cell(self) -> bool:
        return bool(self.file and self.cell)

    def where(self, source: str) -> str:
        return f"{source} 第 {self.line} 行"


def load_corrections(path: str | Path) -> list[Correction]:
    """The corrections of a file; every row that cannot be a correction is a ConfigError
    naming the file and the row."""
    path = Path(path)
    rows = _rows(path)
    if not rows:
        return []
    header = [h.strip() for h in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ConfigError(
            [
                ConfigProblem(
                    str(path),
                    "第 1 行",
                    f"缺少列：{'、'.join(missing)}；列应为：{'、'.join(COLUMNS)}",
                )
            ]
        )
    out, problems = [], []
    csv_file = path.suffix.lower() == ".csv"
    for n, row in enumerate(rows[1:], 2):
        width = _width(row, header, csv_file)
        if width is not None:
            problems.append(
                ConfigProblem(
                    str(path),
                    f"第 {n} 行",
                    f"这一行有 {width} 个字段，而表头有 {len(header)} 列（{'、'.join(header)}）："
                    "多半是某个值（常是“原因”）里有英文逗号而没有加英文双引号。请把这个值用英文"
                    "双引号括起来，或把其中的逗号改成中文逗号“，”（在 Excel 中编辑后另存为 CSV "
                    "会自动加引号）",
                )
            )
            continue
        rec = {
            h: (row[i].strip() if i < len(row) and row[i] is not None else "")
            for i, h in enumerate(header)
        }
        if not any(rec.values()):
            continue
        year = rec.get("年度", "")
        if not year.isdigit():
            problems.append(
                ConfigProblem(str(path), f"第 {n} 行", f"年度应为四位数字，实际为“{year}”")
            )
            continue
        c = Correction(
            n,
            rec.get("学校", ""),
            int(year),
            rec.get("文件", ""),
            rec.get("工作表", ""),
            rec.get("单元格", "").upper(),
            rec.get("数据集", ""),
            rec.get("字段", ""),
            rec.get("键", ""),
            rec.get("值", ""),
            rec.get("原因", ""),
            rec.get("更正人", ""),
        )
        if not c.value or not c.reason:
            problems.append(
                ConfigProblem(str(path), f"第 {n} 行", "“值”和“原因”都必须填写：更正要说明为什么")
            )
        elif not c.by_cell and not (c.school and c.dataset and c.field):
            problems.append(
                ConfigProblem(
                    str(path),
                    f"第 {n} 行",
                    "请写出要更正的单元格（文件、单元格），或记录（学校、数据集、字段，有键的还要写键）",
                )
            )
        else:
            out.append(c)
    if problems:
        raise ConfigError(problems)
    return out


def _width(row: list[str], header: list[str], csv_file: bool) -> int | None:
    """The number of fields of a row that has the wrong number for its header, else None.
    A row with fields beyond the header's columns is wrong (a comma not quoted splits a
    value in two, and every later value shifts); in a CSV file so is a row with fewer
    (a workbook's rows simply end at their last filled cell)."""
    if not any(v.strip() for v in row):
        return None
    if len(row) > len(header) and any(v.strip() for v in row[len(header) :]):
        return len(row)
    if csv_file and len(row) < len(header):
        return len(row)
    return None


def _rows(path: Path) -> list[list[str]]:
    if not path.is_file():
        raise ConfigError([ConfigProblem(str(path), "", "更正文件不存在")])
    if path.suffix.lower() == ".csv":
        from .csvfile import decode_text

        text = decode_text(path.read_bytes())
        return [list(r) for r in csv.reader(io.StringIO(text, newline=""))]
    from .read import read_workbook

    sheets = read_workbook(path).sheets
    return (
        [
            [
                ""
                if v is None
                else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
                for v in row
            ]
            for row in sheets[0].rows
        ]
        if sheets
        else []
    )


def apply_corrections(
    result: ExtractResult, corrections: list[Correction], roster: Roster, pack, source: str
) -> ExtractResult:
    """The year's result with its corrections applied (and said); `source` names the
    corrections file in lineage and findings."""
    mine = [c for c in corrections if c.year == result.year]
    if not mine:
        return result
    values = list(result.values)
    issues = list(result.issues)
    mine, disagreeing = _agreeing(mine, values, roster, pack, source)
    for rows, figure in disagreeing:
        said = "；".join(f"{c.where(source)}改为 {c.value}" for c in rows)
        issues.append(
            issue(  # at the figure's cell: the figure two rows say is wrong is in doubt
                "correction_conflict",
                f"{len(rows)} 行更正改的是同一个数字，改成的值却不同：{said}；都没有生效，"
                f"仍用原表中的内容（{figure.raw or '空'}）",
                "请核实后只留一行（或把几行改成同一个值），再运行一次。",
                file=figure.file,
                sheet=figure.sheet,
                cell=figure.cell,
                school_id=figure.school_id or "",
                dataset=figure.dataset,
                year=result.year,
            )
        )
    for c in mine:
        found = _apply(c, values, roster, pack, source)
        if isinstance(found, str):
            issues.append(
                issue(
                    "correction_unmatched",
                    f"{c.where(source)} 没有对应的数字：{found}",
                    "请核对这一行的文件、工作表、单元格（或学校、数据集、字段、键）是否与“数据质量”表中写的一致。",
                    file=source,
                    year=result.year,
                )
            )
            continue
        old, new = found
        issues = [_resolved(i, old, c, source) for i in issues]
        was = f"原为“{old.raw}”" if old is not None and old.raw else "原表中没有"
        issues.append(
            issue(
                "corrected",
                f"已按{c.where(source)}更正：{was}，改为 {c.value}；原因：{c.reason}"
                + (f"（{c.who}）" if c.who else ""),
                "",
                file=new.file,
                sheet=new.sheet,
                cell=new.cell,
                school_id=new.school_id or "",
                dataset=new.dataset,
                year=result.year,
            )
        )
    return ExtractResult(result.year, result.files, values, result.totals, issues)


def _agreeing(
    rows: list[Correction], values: list[Value], roster: Roster, pack, source: str
) -> tuple[list[Correction], list[tuple[list[Correction], Value]]]:
    """The rows to apply, and the groups of rows that change one figure (by its cell or by
    its record, however each row names it) to different values: none of those applies. Of
    rows that agree, the first applies."""
    by_figure: dict[tuple, list[tuple[Correction, Value]]] = {}
    for c in rows:
        found = _apply(c, list(values), roster, pack, source)  # on a copy: where would it go?
        if isinstance(found, str):
            continue
        new = found[1]
        by_figure.setdefault((new.dataset, new.school_id, new.keys, new.field), []).append((c, new))
    skipped: set[int] = set()
    disagreeing: list[tuple[list[Correction], Value]] = []
    for group in by_figure.values():
        if len(group) < 2:
            continue
        if len({(v.value, v.text) for _, v in group}) > 1:
            first = group[0][1]  # where the figure is (the rows' values aside)
            at = next((v for v in values if v.file == first.file and v.cell == first.cell
                       and v.sheet == first.sheet and v.field == first.field), first)  # fmt: skip
            disagreeing.append(([c for c, _ in group], at))
            skipped.update(c.line for c, _ in group)
        else:
            skipped.update(c.line for c, _ in group[1:])
    return [c for c in rows if c.line not in skipped], disagreeing


def _apply(
    c: Correction, values: list[Value], roster: Roster, pack, source: str
) -> tuple[Value | None, Value] | str:
    """Correct the value a row names, in place in `values`; or why there is none."""
    if c.by_cell:
        school = roster.resolve(c.school).school if c.school else None
        if c.school and school is None:
            return f"名录中没有学校“{c.school}”"
        hits = [
            i
            for i, v in enumerate(values)
            if v.cell == c.cell
            and (not c.sheet or v.sheet == c.sheet)
            and _same_file(v.file, c.file)
            and (not c.field or v.field == c.field)
            and (school is None or v.school_id == school.school_id)
        ]
        if not hits:
            return f"{c.file} {c.sheet}!{c.cell} 不是提取到的任何数字的来源"
        if len(hits) > 1:
            files = "、".join(sorted({values[i].file for i in hits}))
            fields = {values[i].field for i in hits}
            what = "请加写“学校”或写出完整的文件路径" if len(fields) == 1 else "请加写“字段”"
            return f"{c.file} {c.sheet}!{c.cell} 是 {len(hits)} 个数字的来源（{files}）：{what}"
        old = values[hits[0]]
        new = _corrected(old, c, pack, source)
        if isinstance(new, str):
            return new
        values[hits[0]] = new
        return old, new
    school = roster.resolve(c.school).school
    if school is None:
        return f"名录中没有学校“{c.school}”"
    dataset = pack.datasets.get(c.dataset)
    if dataset is None or c.field not in dataset.fields:
        return f"没有数据集“{c.dataset}”或字段“{c.field}”（tongji fields 列出全部）"
    keys = _keys(c.keys, dataset, pack)
    if isinstance(keys, str):
        return keys
    at = next(
        (
            i
            for i, v in enumerate(values)
            if v.dataset == dataset.name
            and v.school_id == school.school_id
            and v.keys == keys
            and v.field == c.field
        ),
        None,
    )
    old = values[at] if at is not None else None
    template = old or Value(
        dataset.name,
        school.school_id,
        c.year,
        keys,
        c.field,
        None,
        None,
        clean.EMPTY,
        dataset.fields[c.field].unit,
        None,
        1.0,
        "",
        source,
        "",
        f"第 {c.line} 行",
        "corrections",
        "",
    )
    new = _corrected(template, c, pack, source)
    if isinstance(new, str):
        return new
    if at is None:
        values.append(new)
    else:
        values[at] = new
    return old, new


def _corrected(v: Value, c: Correction, pack, source: str) -> Value | str:
    fdef = pack.datasets[v.dataset].fields[v.field]
    cleaned = clean.clean_value(c.value, fdef.type)
    if cleaned.status != clean.VALUE:
        return f"值“{c.value}”不是{fdef.title}可用的值：{cleaned.message or '空'}"
    note = f"人工更正（{c.where(source)}：{c.reason}" + (f"，{c.who}" if c.who else "") + "）"
    if fdef.type in ("text", "code"):
        return replace(
            v,
            value=None,
            text=str(cleaned.value),
            status=clean.VALUE,
            rule=f"{v.rule}；{note}" if v.rule else note,
        )
    return replace(
        v,
        value=float(cleaned.value),
        text=None,
        status=clean.VALUE,
        unit=fdef.unit,
        factor=1.0,
        rule=f"{v.rule}；{note}" if v.rule else note,
    )


def _keys(text: str, dataset, pack) -> tuple[tuple[str, str], ...] | str:
    """`base_type=公共实习实训基地;…` or the values alone in the dataset's key order."""
    if not dataset.keys:
        return ()
    given = (
        decode_keys(text)
        if "=" in text
        else dict(
            zip(
                dataset.keys,
                [p.strip() for p in text.replace("；", ";").split(";") if p.strip()],
                strict=False,
            )
        )
    )
    out = []
    for k in dataset.keys:
        raw = given.get(k, "")
        value = pack.dimensions[k].resolve(raw) if raw else None
        if value is None:
            return f"键“{text}”中没有“{pack.dimensions[k].title}”或它不是已知的取值"
        out.append((k, value))
    return tuple(out)


def _same_file(shown: str, given: str) -> bool:
    """The file as findings name it, or only its name (with / or \\ either way)."""
    a, b = PurePath(shown.replace("\\", "/")), PurePath(given.replace("\\", "/"))
    return (
        a == b
        or a.name == b.name
        and len(b.parts) == 1
        or a.as_posix().endswith("/" + b.as_posix())
    )


def _resolved(i: Issue, old: Value | None, c: Correction, source: str) -> Issue:
    """A finding about the cell a correction replaced: kept, marked, no longer an error."""
    if (
        old is None
        or i.code in ("corrected", "correction_unmatched")
        or (i.file, i.sheet, i.cell) != (old.file, old.sheet, old.cell)
    ):
        return i
    return replace(i, severity=INFO, message=f"【已更正，见{c.where(source)}】{i.message}")
