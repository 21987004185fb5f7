"""The command line speaks Chinese everywhere: argparse's own words, every option's description, every error a clerk or
an analyst can make (a missing argument, a bad number or year, a file that is not there, a folder, an unknown or an
inactive unit, no warehouse) — one plain line on stderr and the exit code of countystats/cli.py, never a traceback."""

from __future__ import annotations

import argparse
import gettext
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from countystats import cli
from countystats.argparse_zh import ChineseArgumentParser, width, wrap

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "countystats.cli"]
ENGLISH = re.compile(r"usage|options|show this help|positional arguments|error:|required|invalid|expected|argument",
                     re.I)
CJK = re.compile(r"[\u4e00-\u9fff]")


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COUNTYSTATS_")}
    return subprocess.run([*CLI, *args], capture_output=True, text=True, cwd=cwd, timeout=300, env=env)


def parsers(parser: argparse.ArgumentParser | None = None, path: tuple[str, ...] = ()):
    """Every parser of the command: the main one and each (sub-)sub-command, with the words that reach it."""
    parser = parser or cli.build_parser()
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from parsers(sub, (*path, name))


ALL = list(parsers())


@pytest.mark.unit
def test_every_command_is_covered():
    names = {" ".join(path) for path, _ in ALL}
    assert {"", "check", "run", "template", "export", "sql", "review accept", "access-codes issue"} <= names


@pytest.mark.unit
@pytest.mark.parametrize(("path", "parser"), ALL, ids=[" ".join(p) or "countystats" for p, _ in ALL])
def test_help_is_chinese_and_every_option_is_described(path, parser):
    text = parser.format_help()
    assert not ENGLISH.search(text), text
    assert text.startswith("用法：") and "选项：" in text and "显示此帮助并退出" in text
    for action in parser._actions:
        assert action.help and action.help != argparse.SUPPRESS, f"{' '.join(path)}: {action.option_strings or action.dest}"
        assert CJK.search(action.help), action.help
    assert isinstance(parser, ChineseArgumentParser)


@pytest.mark.unit
def test_help_lines_fit_the_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    for _, parser in ALL:
        usage, _, described = parser.format_help().partition("\n\n")  # argparse keeps a usage group on one line
        for line in described.splitlines():
            assert width(line) <= 80 or " " not in line.strip(), line  # only an unbreakable word may overhang


@pytest.mark.unit
def test_argparse_is_left_as_it_was():
    """The Chinese words are swapped in only while the command's own parser works: other parsers stay English."""
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["template"])
    assert argparse._ is gettext.gettext and argparse.ngettext is gettext.ngettext
    assert "usage:" in argparse.ArgumentParser(prog="x").format_help()


@pytest.mark.unit
@pytest.mark.parametrize(("text", "year"), [("2024", 2024), ("2008", 2008), (" 2100", 2100)])
def test_a_year_is_four_digits_in_range(text, year):
    assert cli._year(text) == year


@pytest.mark.unit
@pytest.mark.parametrize("text", ["24", "20245", "二〇二四", "abcd", "2007", "2101", ""])
def test_a_bad_year_is_refused_in_chinese(text):
    with pytest.raises(argparse.ArgumentTypeError, match="年度"):
        cli._year(text)


@pytest.mark.unit
def test_wrap_measures_chinese_as_two_columns():
    text = "把标注了问题的工作簿写到此路径（.xlsx；Word、PDF、网页报告按读到的表格生成），另见 docs/analysts.md。"
    lines = wrap(text, 30)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(width(line) <= 32 for line in lines)  # closing punctuation may overhang by one character
    assert not any(line[0] in "，。；）" for line in lines)
    assert "docs/analysts.md。" in lines[-1]  # an ASCII word is not split


# ------------------------------------------------------------------------------------------- as the clerk types


ERRORS = [
    # (arguments, exit code, what stderr says)
    (["template", "--year", "2024"], 2, "缺少必需的参数：--unit"),
    (["review", "accept", "七", "--reason", "x"], 2, "参数 ID：应为整数"),
    (["portal", "--port", "http"], 2, "端口应为"),
    (["template", "--unit", "大营镇", "--year", "24"], 2, "年度应为四位数字，如 2024"),
    (["export", "--year", "1999"], 2, "不在 2008–2100 之间"),
    (["frob"], 2, "无效的选择：'frob'"),
    ([], 2, "缺少必需的参数：命令"),
    (["check", "nosuch.xlsx"], 2, "找不到文件：nosuch.xlsx"),
    (["check", "docs"], 2, "是文件夹，不是文件"),
    (["template", "--unit", "没有这个镇", "--year", "2024"], 2, "单位名册中没有“没有这个镇”"),
    (["template", "--unit", "马屯乡", "--year", "2024"], 2, "马屯乡（twp_matun）不报送 2024 年度的报告"),
    (["template", "--unit", "dep_data", "--year", "2023"], 2, "2024 年度起"),
    (["export", "--year", "2024", "--db", "没有的仓库.duckdb"], 2, "数据仓库不存在"),
    (["sql", "--db", "没有的仓库.duckdb", "-c", "SELECT 1"], 2, "数据仓库不存在"),
    (["template", "--unit", "大营镇", "--year", "2024", "-o", "没有的文件夹/空表.xlsx"], 2, "找不到文件或文件夹"),
    (["template", "--unit", "大营镇", "--year", "2024", "-o", "空表.csv"], 2, "不支持"),  # a file type it cannot write
]


@pytest.mark.integration
@pytest.mark.parametrize(("args", "code", "said"), ERRORS, ids=[" ".join(a) or "nothing" for a, _, _ in ERRORS])
def test_a_mistake_is_said_in_chinese(args, code, said, tmp_path):
    if args[:1] == ["check"] and args[1] == "docs":
        args = ["check", str(ROOT / "docs")]
    done = run(*args, cwd=tmp_path)
    assert done.returncode == code, done.stderr
    assert said in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and not ENGLISH.search(done.stderr), done.stderr
    assert not done.stdout.strip()
    assert not list(tmp_path.iterdir())  # nothing written (no template for an inactive unit)


@pytest.mark.integration
def test_a_missing_file_with_json_is_still_one_json_verdict(tmp_path):
    """The spec: exit 2 when the file cannot be read at all, the reason still printed as a finding (scripts parse
    stdout as JSON whatever happened)."""
    import json

    done = run("check", "nosuch.xlsx", "--json", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    verdict = json.loads(done.stdout)
    assert verdict["status"] == "unreadable"
    assert "nosuch.xlsx" in verdict["findings"][0]["message"]
    assert "Traceback" not in done.stderr


@pytest.mark.integration
def test_help_through_the_command():
    for args in (["-h"], ["check", "--help"], ["sql", "-h"]):
        done = run(*args)
        assert done.returncode == 0 and done.stdout.startswith("用法：countystats"), done.stderr
        assert not ENGLISH.search(done.stdout), done.stdout
    assert "read_only=True" in done.stdout and ".reload" in done.stdout  # sql: read-only, and how to see new data


@pytest.mark.integration
@pytest.mark.slow
def test_check_says_where_it_wrote_the_feedback_workbook(example_inbox, tmp_path):
    import json

    from countystats.examples.county import generate_county

    report = next(r for r in generate_county((2023, 2024)) if r.mistake == "R-NUMBER")
    out = tmp_path / "反馈.xlsx"
    done = run("check", str(Path(example_inbox) / report.file_name), "--feedback", str(out))
    assert done.returncode == 1, done.stderr
    assert done.stdout.rstrip().splitlines()[-1] == f"已写出标注问题的工作簿：{out}"
    assert out.is_file() and out.stat().st_size > 0
    out.unlink()
    done = run("check", str(Path(example_inbox) / report.file_name), "--feedback", str(out), "--json")
    assert json.loads(done.stdout)["status"] == "rejected"  # stdout stays one JSON object
    assert f"已写出标注问题的工作簿：{out}" in done.stderr and out.is_file()


# ------------------------------------------------------------------------------------------- a bug


@pytest.mark.unit
def test_a_bug_is_one_chinese_line_and_its_details_are_kept(monkeypatch, tmp_path, capsys):
    def broken(args):
        raise KeyError("a bug")

    monkeypatch.setattr(cli, "_example", broken)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    monkeypatch.delenv(cli.DEBUG_ENV, raising=False)
    assert cli.main(["example"]) == cli.EXIT_INTERNAL
    said = capsys.readouterr().err
    assert said.startswith("countystats 内部错误（KeyError") and cli.DEBUG_ENV in said and "Traceback" not in said
    (details,) = tmp_path.glob("countystats-error-*.txt")
    assert str(details) in said and "Traceback" in details.read_text(encoding="utf-8")

    monkeypatch.setenv(cli.DEBUG_ENV, "1")
    with pytest.raises(KeyError):
        cli.main(["example"])


@pytest.mark.unit
def test_expected_errors_are_told_plainly_and_others_are_not():
    assert cli._plain(ValueError("单位名册中没有“x”")) == "单位名册中没有“x”"
    assert cli._plain(LookupError("2019年度没有可计入的报告")) is not None
    assert cli._plain(FileNotFoundError(2, "No such file or directory", "/x/y.xlsx")) == "找不到文件或文件夹：/x/y.xlsx"
    assert cli._plain(ValueError("invalid literal for int()")) is None  # a bug, not the user's input
    assert cli._plain(TypeError("类型")) is None
