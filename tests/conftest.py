from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from builders import SheetSpec, write_xlsx  # noqa: E402
from load import busy_cpus  # noqa: E402


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("tongji")
    group.addoption(
        "--repeat", type=int, default=1, metavar="K", help="run each selected test K times"
    )
    group.addoption(
        "--busy-cpus",
        type=int,
        default=0,
        metavar="N",
        help="keep N busy loops running for the whole session (a loaded machine)",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    times = metafunc.config.getoption("repeat")
    if times > 1:
        metafunc.fixturenames.append("_repetition")
        metafunc.parametrize("_repetition", range(1, times + 1), ids=lambda i: f"run{i}")


@pytest.fixture(scope="session", autouse=True)
def _busy_session(request: pytest.FixtureRequest):
    count = request.config.getoption("busy_cpus")
    if count <= 0:
        yield
        return
    with busy_cpus(count):
        yield


@pytest.fixture
def busy():
    """Every CPU busy while the test runs (tests that interrupt or kill at a moment)."""
    with busy_cpus() as loops:
        yield loops


DATASETS_TOML = """
[dimensions.major_category]
title = "专业大类"
code_digits = 2
[dimensions.major_category.values]
"信息技术类" = ["信息技术", "09"]
"加工制造类" = ["加工制造", "05"]
"医药卫生类" = ["医药卫生", "10"]

[dimensions.major]
title = "专业"

[datasets.school_info]
title = "学校基本情况"
[datasets.school_info.fields]
school_name = { title = "学校名称", type = "text" }
school_code = { title = "学校标识码", type = "code" }
land_area = { title = "占地面积", type = "number", unit = "平方米" }
equipment_value = { title = "教学仪器设备资产值", type = "number", unit = "万元" }

[datasets.teachers]
title = "专任教师"
[datasets.teachers.fields]
total = { title = "专任教师", type = "integer", unit = "人", required = true }
male = { title = "男", type = "integer", unit = "人" }
female = { title = "女", type = "integer", unit = "人" }
postgrad = { title = "研究生毕业", type = "integer", unit = "人" }
bachelor = { title = "本科毕业", type = "integer", unit = "人" }
below_bachelor = { title = "专科及以下", type = "integer", unit = "人" }
dual = { title = "双师型教师", type = "integer", unit = "人" }
dual_male = { title = "双师型男", type = "integer", unit = "人" }

[datasets.majors]
title = "分专业学生"
keys = ["major_category", "major"]
[datasets.majors.fields]
enrolment = { title = "招生数", type = "integer", unit = "人", aliases = ["招生人数", "本年招生"] }
students = { title = "在校生数", type = "integer", unit = "人", aliases = ["在校学生数", "在校生"] }
graduates = { title = "毕业生数", type = "integer", unit = "人", aliases = ["毕业人数"] }
"""

TEACHERS_TOML = """
name = "中职基421 专任教师（统计客户端导出）"
dataset = "teachers"
layout = "grid"

[match]
sheet_names = ["^中职基421"]
contains = ["专任教师"]

[school]
label = ["学校名称"]

[[fields]]
field = "total"
row = "总计"
column = "合计"

[[fields]]
field = "male"
row = "总计"
column = "按性别分/男"

[[fields]]
field = "female"
line = 1
code = 3

[[fields]]
field = "postgrad"
row = "总计"
column = "研究生毕业"

[[fields]]
field = "bachelor"
line = "01"
column = "本科及以下/本科毕业"

[[fields]]
field = "below_bachelor"
row = "总计"
column = "专科及以下"

[[fields]]
field = "dual"
row = "双师型"
column = "合计"

[[fields]]
field = "dual_male"
row = "双师型"
column = "男"
"""

SCHOOL_INFO_TOML = """
name = "中职基111 学校基本情况"
dataset = "school_info"
layout = "keyvalue"

[match]
sheet_names = ["基111"]
contains = ["学校名称"]

[school]
label = ["学校名称"]

[[fields]]
field = "school_name"
label = "学校名称"

[[fields]]
field = "school_code"

[[fields]]
field = "land_area"

[[fields]]
field = "equipment_value"
unit = "元"
"""

MAJORS_TOML = """
name = "分专业学生（学校自制）"
dataset = "majors"
layout = "list"

[match]
contains = ["专业大类", "专业名称"]

[records]
major_category = ["专业大类", "大类"]
major = "专业名称"

[[fields]]
field = "enrolment"

[[fields]]
field = "students"

[[fields]]
field = "graduates"
"""


@pytest.fixture
def pack_dir(tmp_path: Path) -> Path:
    d = tmp_path / "mappings"
    d.mkdir()
    (d / "datasets.toml").write_text(DATASETS_TOML, encoding="utf-8")
    (d / "teachers_421.toml").write_text(TEACHERS_TOML, encoding="utf-8")
    (d / "school_info_111.toml").write_text(SCHOOL_INFO_TOML, encoding="utf-8")
    (d / "majors_list.toml").write_text(MAJORS_TOML, encoding="utf-8")
    return d


@pytest.fixture
def pack(pack_dir: Path):
    from tongji.config import load_pack

    return load_pack(pack_dir)


@pytest.fixture
def roster_path(tmp_path: Path) -> Path:
    s = SheetSpec("名录")
    s.row(
        0, ["学校代码", "学校名称", "别名", "旗县区", "办学类型", "举办者", "级别", "是否技工学校"]
    )
    s.row(
        1,
        [
            "1504000001",
            "赤峰农牧学校",
            "农牧学校；赤峰市农牧学校",
            "红山区",
            "普通中专",
            "公办",
            "国家级示范、国家级重点",
            "否",
        ],
    )
    s.row(
        2,
        [
            "1504000002",
            "松山区职教中心",
            "松山区职业教育中心",
            "松山区",
            "职业高中",
            "公办",
            "国家级示范",
            "否",
        ],
    )
    s.row(
        3, ["1504000003", "赤峰第一职业中专", "", "红山区", "职业高中", "公办", "国家级重点", "否"]
    )
    s.row(
        4, ["1504000099", "赤峰北方民族技工学校", "", "阿鲁科尔沁旗", "技工学校", "公办", "", "是"]
    )
    return write_xlsx(tmp_path / "roster.xlsx", [s])


@pytest.fixture
def roster(roster_path: Path):
    from tongji.extraction.roster import load_roster

    return load_roster(roster_path)


ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"


@pytest.fixture(scope="session")
def sample_results():
    """Both sample years extracted once with the mapping pack (shared by several tests)."""
    from tongji.config import load_pack
    from tongji.extraction import collect_inputs, extract_paths
    from tongji.extraction.roster import load_roster

    pack = load_pack(ROOT / "mappings")
    roster = load_roster(SAMPLES / "roster.xlsx")
    return {
        year: extract_paths(collect_inputs([SAMPLES / str(year)]), pack, roster, year, jobs=2)
        for year in (2019, 2020)
    }


@pytest.fixture(scope="session")
def sample_extract_dirs(sample_results, tmp_path_factory):
    from tongji.config import load_pack
    from tongji.extraction.roster import load_roster
    from tongji.extraction.store import write_extract

    base = tmp_path_factory.mktemp("extract")
    pack = load_pack(ROOT / "mappings")
    roster = load_roster(SAMPLES / "roster.xlsx")
    dirs = {}
    for year, result in sample_results.items():
        write_extract(result, pack, base / str(year), roster)
        dirs[year] = base / str(year)
    return dirs
