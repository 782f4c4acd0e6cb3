"""Sheet-name patterns are matched by RE2: no pattern a statistician writes can hang a run,
one RE2 cannot take is a config problem naming its file and key, and `\\w \\d \\s` mean
what they mean in Python (Chinese characters are word characters)."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from tongji.config import ConfigError, load_pack
from tongji.config.patterns import NamePattern, PatternError

ROOT = Path(__file__).resolve().parents[1]


_BACKTRACKS = """
from tongji.config.patterns import NamePattern
evil = NamePattern(r"^(\\w+\\s?)+$")
name = "中职基411教职工情况统计表备份副本" * 3 + "!"  # 54 word characters, then no match
print(evil.search(name), evil.search("中职基411 教职工"))
"""


def test_a_pattern_that_backtracks_exponentially_in_python_matches_at_once():
    """Python's re tries each of the 2^53 ways to split this name before it says no (24
    characters take it 9 s here, each one more doubles it); RE2's time grows with the
    text. In a process of its own, so that a regression fails the test instead of hanging
    the suite (the bound is hundreds of times what the match takes on a busy machine: not
    a timed test)."""
    res = subprocess.run(
        [sys.executable, "-c", _BACKTRACKS], capture_output=True, text=True, timeout=120
    )
    assert res.returncode == 0 and res.stdout.split() == ["False", "True"], res.stderr


@pytest.mark.parametrize(
    "pattern,name,hit",
    [
        (r"^\w+$", "教职工情况", True),
        (r"^\d+$", "２０２０", True),  # full-width digits are digits, as in Python
        (r"教职工\s表", "教职工\u3000表", True),  # the ideographic space is a space
        (r"^[\w（）]+$", "教职工（旧）", True),
        (r"^\W", "（旧）教职工", True),
        (r"(?i)^staff", "STAFF", True),
        (r"^中职基411$", "中职基411(2019年旧表)", False),
        (r"[]a]", "]", True),
        (r"^[[:digit:]\w]+$", "教基1", True),  # a POSIX class inside a class stays one
        (r"^\Q\w\E$", "\\w", True),  # \Q…\E is literal text
    ],
)
def test_classes_mean_what_they_mean_in_python(pattern, name, hit):
    assert NamePattern(pattern).search(name) is hit


def test_look_around_and_back_references_say_what_to_write_instead():
    with pytest.raises(PatternError) as e:
        NamePattern("^教基3221(?!续)")
    assert "exclude" in e.value.message and "教基3221续" in e.value.message
    with pytest.raises(PatternError) as e:
        NamePattern(r"^(表)\1$")
    assert "反向引用" in e.value.message


def test_a_mapping_with_a_pattern_re2_cannot_take_is_a_problem_naming_file_and_key(tmp_path):
    (tmp_path / "datasets.toml").write_text(
        (ROOT / "mappings" / "datasets.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (tmp_path / "bad.toml").write_text(
        'dataset = "staff"\nlayout = "grid"\n[match]\nsheet_names = ["^a", "^(b"]\n'
        'exclude = ["^x(?=y)"]\n[[fields]]\nfield = "fulltime"\nrow = "总计"\ncolumn = "合计"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as e:
        load_pack(tmp_path)
    text = "\n".join(map(str, e.value.problems))
    assert "bad.toml" in text and "match.sheet_names[1]" in text and "match.exclude[0]" in text


def test_patterns_travel_to_worker_processes():
    pack = load_pack(ROOT / "mappings")
    [m] = [m for m in pack.mappings if m.id == "national_3221"]
    again = pickle.loads(pickle.dumps(m.match))
    assert again == m.match and again.names("教基3221_中职", "教基3221_中职")
    assert again.excludes("教基3221续_中职", "教基3221续_中职")


def test_a_negated_class_inside_brackets_is_refused_with_what_to_write():
    """RE2 would read `[^\\W\\d]` with ASCII classes: 教基 would not be a letter there."""
    with pytest.raises(PatternError) as e:
        NamePattern(r"^[^\W\d]+$")
    assert "方括号中不支持" in e.value.message and "[\\p{L}_]" in e.value.message
