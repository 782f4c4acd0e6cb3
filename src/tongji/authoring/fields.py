"""`tongji fields`: the datasets, fields and dimensions a mapping can target, as plain data
(`--json`) and written out for a person."""

from __future__ import annotations

from typing import Any

from ..config.mapping import Pack


def fields_data(pack: Pack, dataset_name: str | None = None) -> dict[str, Any]:
    datasets = [
        {
            "name": name,
            "title": ds.title,
            "entity": ds.entity,
            "keys": [{"name": k, "title": pack.dimensions[k].title} for k in ds.keys],
            "fields": [
                {
                    "name": f.name,
                    "title": f.title,
                    "type": f.type,
                    "unit": f.unit,
                    "required": f.required,
                    "aliases": list(f.aliases),
                }
                for f in ds.fields.values()
            ],
        }
        for name, ds in pack.datasets.items()
        if not dataset_name or name == dataset_name
    ]
    dimensions = []
    if not dataset_name:
        for name, dim in pack.dimensions.items():
            item: dict[str, Any] = {
                "name": name,
                "title": dim.title,
                "roster": dim.roster,
                "values": list(dim.values),
            }
            item["catalogues"] = [
                {
                    "id": c.id,
                    "title": c.title,
                    "first": c.first,
                    "last": c.last,
                    "values": list(c.values),
                }
                for c in reversed(dim.catalogues)
            ]
            dimensions.append(item)
    return {"datasets": datasets, "dimensions": dimensions}


def describe_fields(pack: Pack, dataset_name: str | None = None) -> str:
    """`tongji fields`: the datasets and fields a mapping can target."""
    data = fields_data(pack, dataset_name)
    out = []
    for ds in data["datasets"]:
        named = "、".join(f"{k['name']}（{k['title']}）" for k in ds["keys"])
        keys = f"，每条记录的键：{named}" if named else ""
        scope = "全市数据" if ds["entity"] == "city" else "每校一份"
        out.append(f"{ds['name']}：{ds['title']}（{scope}{keys}）")
        for f in ds["fields"]:
            unit = f"，单位 {f['unit']}" if f["unit"] else ""
            aliases = f"，别名：{'、'.join(f['aliases'])}" if f["aliases"] else ""
            out.append(
                f"    {f['name']:<22} {f['title']}（{f['type']}{unit}）{'，必填' if f['required'] else ''}{aliases}"
            )
        out.append("")
    if not dataset_name:
        out.append("维度：")
        for dim in data["dimensions"]:
            name = dim["name"]
            if dim["catalogues"]:
                for c in dim["catalogues"]:
                    span = (
                        f"{c['first']}–{c['last']} 年"
                        if c["last"] is not None
                        else f"{c['first']} 年起"
                    )
                    out.append(
                        f"    {name:<22} {dim['title']}（《{c['title']}》，{span}）：{'、'.join(c['values'])}"
                    )
                continue
            if dim["roster"]:
                values = f"（取自学校名录的“{dim['roster']}”列）" + (
                    "；另有：" + "、".join(dim["values"]) if dim["values"] else ""
                )
            else:
                values = "、".join(dim["values"]) if dim["values"] else "（自由文本）"
            out.append(f"    {name:<22} {dim['title']}：{values}")
    return "\n".join(out).rstrip() + "\n"
