"""`tongji fields`: the datasets, fields and dimensions a mapping can target."""

from __future__ import annotations

from ..config.mapping import Pack


def describe_fields(pack: Pack, dataset_name: str | None = None) -> str:
    """`tongji fields`: the datasets and fields a mapping can target."""
    out = []
    for name, ds in pack.datasets.items():
        if dataset_name and name != dataset_name:
            continue
        keys = f"，每条记录的键：{'、'.join(f'{k}（{pack.dimensions[k].title}）' for k in ds.keys)}" if ds.keys else ""
        scope = "全市数据" if ds.entity == "city" else "每校一份"
        out.append(f"{name}：{ds.title}（{scope}{keys}）")
        for fname, f in ds.fields.items():
            unit = f"，单位 {f.unit}" if f.unit else ""
            aliases = f"，别名：{'、'.join(f.aliases)}" if f.aliases else ""
            out.append(f"    {fname:<22} {f.title}（{f.type}{unit}）{'，必填' if f.required else ''}{aliases}")
        out.append("")
    if not dataset_name:
        out.append("维度：")
        for name, dim in pack.dimensions.items():
            if dim.roster:
                values = f"（取自学校名录的“{dim.roster}”列）" + ("；另有：" + "、".join(dim.values) if dim.values else "")
            else:
                values = "、".join(dim.values) if dim.values else "（自由文本）"
            if dim.catalogues:
                for c in reversed(dim.catalogues):
                    span = f"{c.first}–{c.last} 年" if c.last is not None else f"{c.first} 年起"
                    out.append(f"    {name:<22} {dim.title}（《{c.title}》，{span}）：{'、'.join(c.values)}")
                continue
            out.append(f"    {name:<22} {dim.title}：{values}")
    return "\n".join(out).rstrip() + "\n"
