"""Loading a mapping pack: the pack's folder and a city's folders after it, every file
parsed (mapping.py, datasets.py, catalogues.py, unused.py) and every mistake of all of them
reported at once; mappings a later folder `replaces` are switched off."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

from ..errors import ConfigError, ConfigProblem
from .catalogues import CATALOGUES_FILE, Crosswalk, parse_catalogues
from .datasets import DATASETS_FILE, Dataset, Dimension, parse_datasets
from .mapping import RESERVED_FILES, Mapping, Pack, parse_mapping
from .toml import (
    load_toml,
    load_toml_or_stop,
    relative_name,
)
from .unused import UNUSED_FILE, UnusedRule, parse_unused


def mapping_folders(given: str | Path | list | tuple) -> list[Path]:
    """One mapping folder, or several: the first is the pack (datasets.toml, indicators.toml,
    checks.toml and mappings); the others add mappings of their own (a city's layouts)."""
    return [Path(f) for f in given] if isinstance(given, (list, tuple)) else [Path(given)]


def load_pack(root: str | Path | list[str | Path] | tuple[str | Path, ...]) -> Pack:
    """Load and validate a mapping folder (or the pack's folder and folders of more
    mappings). Raises ConfigError listing every mistake."""
    roots = mapping_folders(root)
    for folder in roots:
        if not folder.is_dir():
            raise ConfigError([ConfigProblem(str(folder), "", "映射配置目录不存在")], "映射配置")
    base = roots[0]
    problems: list[ConfigProblem] = []
    datasets: dict[str, Dataset] = {}
    dimensions: dict[str, Dimension] = {}
    students = None
    ds_path = base / DATASETS_FILE
    if not ds_path.is_file():
        hint = f"第一个映射目录应是映射包（含 datasets.toml，如 mappings）；一个城市自己的映射文件夹放在它后面，例如：tongji mappings check mappings {base}"
        raise ConfigError(
            [
                ConfigProblem(
                    relative_name(ds_path, base), "", f"缺少数据集定义文件 datasets.toml。{hint}"
                )
            ],
            "映射配置",
        )
    else:
        data = load_toml_or_stop(
            ds_path, base, problems, "映射配置"
        )  # every mapping names its dataset
        datasets, dimensions, students = parse_datasets(
            data, relative_name(ds_path, base), problems
        )
    crosswalks: tuple[Crosswalk, ...] = ()
    cat_path = base / CATALOGUES_FILE
    if cat_path.is_file():
        dimensions, crosswalks = _with_catalogues(cat_path, base, dimensions, problems)
    names: dict[str, str] = {}
    mappings = [
        replace(m, folder=i)
        for i, folder in enumerate(roots)
        for m in _load_mappings(folder, folder is base, datasets, dimensions, problems, names)
    ]
    mappings = _without_replaced(mappings, names, problems)
    unused = tuple(
        rule for i, folder in enumerate(roots) for rule in _unused_rules(folder, i, problems)
    )
    if not mappings and not problems:
        problems.append(ConfigProblem(str(base), "", "目录中没有映射配置（*.toml）"))
    if problems:
        raise ConfigError(problems, "映射配置")
    files = {
        _file_name(path, folder, i): hashlib.sha256(path.read_bytes()).hexdigest()
        for i, folder in enumerate(roots)
        for path in sorted(folder.rglob("*.toml"))
    }
    return Pack(base, datasets, dimensions, mappings, files, students, crosswalks, unused=unused)


def _without_replaced(
    mappings: list[Mapping], names: dict[str, str], problems: list[ConfigProblem]
) -> list[Mapping]:
    """The mappings left when a city's mappings switch off the pack's (`replaces`): a name
    that is no mapping of an earlier folder is a mistake, never ignored."""
    folder_of = {m.id: m.folder for m in mappings}
    off: set[str] = set()
    for m in mappings:
        for target in m.replaces:
            if folder_of.get(target, m.folder) >= m.folder:
                known = "、".join(sorted(i for i, f in folder_of.items() if f < m.folder))
                problems.append(
                    ConfigProblem(
                        names.get(m.id, m.file),
                        "replaces",
                        f"“{target}”不是前面映射目录中的映射（映射名即文件名，不含 .toml）"
                        + (f"；可写：{known}" if known else ""),
                    )
                )
            off.add(target)
    return [m for m in mappings if m.id not in off]


def _unused_rules(
    folder: Path, position: int, problems: list[ConfigProblem]
) -> tuple[UnusedRule, ...]:
    path = folder / UNUSED_FILE
    if not path.is_file():
        return ()
    data = load_toml(path, folder, problems)
    return (
        parse_unused(data, _file_name(path, folder, position), problems) if data is not None else ()
    )


def _with_catalogues(
    path: Path, base: Path, dimensions: dict[str, Dimension], problems: list[ConfigProblem]
) -> tuple[dict[str, Dimension], tuple[Crosswalk, ...]]:
    """The dimensions whose values catalogues.toml gives, and its crosswalks."""
    data = load_toml_or_stop(path, base, problems, "映射配置")  # mappings name its catalogues
    file = relative_name(path, base)
    catalogues, crosswalks = parse_catalogues(data, file, set(dimensions), problems)
    out = dict(dimensions)
    for name in {c.dimension for c in catalogues.values() if c.dimension in dimensions}:
        if dimensions[name].values:
            problems.append(
                ConfigProblem(
                    DATASETS_FILE,
                    f"dimensions.{name}.values",
                    f"维度“{name}”的取值由 {CATALOGUES_FILE} 中的目录给出，这里不要再写 values",
                )
            )
        out[name] = dimensions[name].with_catalogues(
            [c for c in catalogues.values() if c.dimension == name]
        )
    return out, tuple(crosswalks.values())


def _file_name(path: Path, folder: Path, position: int) -> str:
    """How a config file is named: `mappings/x.toml` in the pack, with its folder's parent
    too in a further folder (`示例市/mappings/x.toml`), so that names never collide."""
    name = relative_name(path, folder)
    return name if position == 0 else f"{folder.parent.name}/{name}"


def _load_mappings(
    root: Path,
    is_base: bool,
    datasets: dict[str, Dataset],
    dimensions: dict[str, Dimension],
    problems: list[ConfigProblem],
    names: dict[str, str],
) -> list[Mapping]:
    mappings = []
    for path in sorted(root.rglob("*.toml")):
        if path.parent == root and path.name == UNUSED_FILE:
            continue  # read by _unused_rules, in every folder
        if path.parent == root and path.name in RESERVED_FILES:
            if not is_base:
                problems.append(
                    ConfigProblem(
                        relative_name(path, root),
                        "",
                        f"{path.name} 只能放在第一个映射目录中；其他目录只放映射",
                    )
                )
            continue
        rel = relative_name(path, root)
        data = load_toml(path, root, problems)
        mapping = (
            parse_mapping(data, rel, datasets, dimensions, problems) if data is not None else None
        )
        if mapping is None:
            continue
        if mapping.id in names:
            problems.append(
                ConfigProblem(rel, "", f"映射名与 {names[mapping.id]} 重复；请改文件名")
            )
        names[mapping.id] = rel
        mappings.append(mapping)
    return mappings
