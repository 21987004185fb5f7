"""`countystats sql`: the published warehouse opened read-only with the project's own duckdb, for analysts.

The queries of docs/analysts.md (as tests/test_analyst_queries.py extracts them) run through the command and give the
rows a direct read-only connection gives; scripts from -c, a file and a pipe; the interactive shell at a real
terminal (a pty): a statement over several lines, .tables, an error that does not end it, the history file; the file
is never changed; a missing warehouse is one Chinese line and exit 2.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from test_analyst_queries import BLOCKS, stated_columns

from countystats.examples.warehouses import build_warehouse
from countystats.sql_shell import Shell, chinese_footer, split_statements, statement_complete

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "countystats.cli", "sql"]


def block(first_column: str, *more: str) -> str:
    (found,) = [b for b in BLOCKS if stated_columns(b)[:1 + len(more)] == [first_column, *more]]
    return found


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    return build_warehouse(tmp_path_factory.mktemp("sql") / "w.duckdb")


def sql(warehouse: Path, *args: str, stdin: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run([*CLI, "--db", str(warehouse), *args], input=stdin, capture_output=True, text=True,
                          cwd=ROOT, timeout=120, env=env, stdin=None if stdin is not None else subprocess.DEVNULL)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def direct(warehouse: Path, query: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


def digest(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


# ------------------------------------------------------------------------------------------- the docs' queries


@pytest.mark.integration
def test_a_query_of_the_analysts_guide_gives_the_rows_duckdb_gives(warehouse):
    query = block("report_year", "unit_type", "expected")  # 报送情况: completeness by unit type and year
    done = sql(warehouse, "--csv", "-c", query)
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO(done.stdout)))
    assert rows[0] == stated_columns(query)
    expected = [["" if v is None else str(v) for v in row] for row in direct(warehouse, query)]
    assert rows[1:] == expected and expected


@pytest.mark.integration
def test_a_query_as_a_table(warehouse):
    query = block("unit_name", "unit_type", "carried_forward")  # the 10 units with most requests carried forward
    done = sql(warehouse, "-c", query)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("┌") and all(c in lines[1] for c in stated_columns(query))
    for unit_name, unit_type, carried in direct(warehouse, query):
        assert re.search(rf"│ {re.escape(unit_name)}\s+│ {unit_type}\s+│\s+{carried}\s+│", done.stdout), unit_name


@pytest.mark.integration
def test_a_file_and_a_pipe_run_every_statement_and_command(warehouse, tmp_path):
    script = tmp_path / "报表.sql"
    script.write_text("-- two statements, one over three lines\nSELECT count(*) AS units\nFROM units\n;\n"
                      "SELECT 'a;b' AS text;  -- a ; inside a string ends nothing\n", encoding="utf-8")
    done = sql(warehouse, str(script))
    assert done.returncode == 0, done.stderr
    (units,) = direct(warehouse, "SELECT count(*) FROM units")[0]
    assert re.search(rf"│\s+{units}\s+│", done.stdout) and "a;b" in done.stdout

    done = sql(warehouse, stdin=".schema units\nSELECT 1 AS one")  # a last statement without ;
    assert done.returncode == 0, done.stderr
    assert "单位名册" in done.stdout and "unit_code" in done.stdout and "one" in done.stdout


@pytest.mark.integration
def test_a_script_stops_at_its_first_error(warehouse):
    done = sql(warehouse, "-c", "SELECT 1 AS first; SELEC 2; SELECT 3 AS third;")
    assert done.returncode == 1
    assert "first" in done.stdout and "third" not in done.stdout
    assert done.stderr.startswith("错误：") and len(done.stderr.strip().splitlines()) == 1


# ------------------------------------------------------------------------------------------- read-only


@pytest.mark.integration
def test_the_warehouse_is_never_changed(warehouse):
    before = digest(warehouse)
    done = sql(warehouse, "-c", "CREATE TABLE mine (a INTEGER)")
    assert done.returncode == 1 and done.stderr.startswith("错误：") and "只读" in done.stderr
    done = sql(warehouse, "-c", "DELETE FROM units")
    assert done.returncode == 1 and "只读" in done.stderr
    # what the help offers instead: a temporary table, in memory
    done = sql(warehouse, "--csv", "-c", "CREATE TEMP TABLE mine AS SELECT 2 AS a; SELECT a FROM mine;")
    assert done.returncode == 0 and done.stdout == "a\n2\n", done.stderr
    assert digest(warehouse) == before


@pytest.mark.integration
def test_a_missing_warehouse_is_one_chinese_line_and_exit_2(tmp_path):
    for db in (tmp_path / "没有.duckdb", tmp_path):
        done = subprocess.run([*CLI, "--db", str(db), "-c", "SELECT 1"], capture_output=True, text=True, cwd=ROOT,
                              timeout=120)
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith("错误：") and str(db) in done.stderr and "Traceback" not in done.stderr
    done = subprocess.run([*CLI, "--db", str(tmp_path / "x.duckdb"), str(tmp_path / "无此文件.sql")],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 2 and "找不到 SQL 文件" in done.stderr


# ------------------------------------------------------------------------------------------- at the keyboard


def _converse(command: list[str], typed: str, env: dict, seconds: float = 60) -> tuple[str, int]:
    """Run ``command`` at a pseudo-terminal, type ``typed``, return everything it showed and its exit code."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(command, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT, close_fds=True)
    os.close(slave)
    os.write(master, typed.encode("utf-8"))
    shown, deadline = b"", time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the terminal's other side closed: the shell has ended
                    break
                if not chunk:
                    break
                shown += chunk
            elif proc.poll() is not None:
                break
        code = proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    return shown.decode("utf-8", "replace"), code


@pytest.mark.integration
def test_the_interactive_shell(warehouse, tmp_path):
    env = {**os.environ, "HOME": str(tmp_path), "TERM": "dumb", "COLUMNS": "120"}
    typed = ("SELECT unit_code, unit_name\n"
             "  FROM units\n"
             "  ORDER BY unit_code LIMIT 2;\n"
             ".tables\n"
             "SELEC oops;\n"
             "SELECT 40 + 2 AS answer;\n"
             ".quit\n")
    shown, code = _converse([*CLI, "--db", str(warehouse)], typed, env)
    assert code == 0, shown
    assert "Traceback" not in shown
    assert "只读" in shown and "countystats> " in shown and "...> " in shown  # the banner; a statement's next line
    for unit_code, unit_name in direct(warehouse, "SELECT unit_code, unit_name FROM units ORDER BY unit_code LIMIT 2"):
        assert re.search(rf"│ {unit_code}\s+│ {re.escape(unit_name)}\s+│", shown), unit_code
    comment = direct(warehouse, "SELECT comment FROM duckdb_tables() WHERE table_name = 'units'")[0][0]
    assert re.search(r"│ units\s+│ 表\s+│ " + re.escape(comment.split(" / ")[0]), shown)  # .tables: the Chinese part
    error = re.search(r"^错误：.*SELEC.*$", shown, flags=re.M)
    assert error, shown
    assert re.search(r"│\s+42\s+│", shown[error.end():])  # the shell went on after the error
    history = (tmp_path / ".countystats_sql_history").read_text(encoding="utf-8")
    assert "SELECT 40 + 2 AS answer;" in history


@pytest.mark.unit
def test_a_new_warehouse_published_meanwhile_is_announced_and_reloaded(tmp_path):
    def publish(rows: int) -> None:  # as the nightly job does: a new file written whole, renamed over the old
        new = tmp_path / "new.duckdb"
        con = duckdb.connect(str(new))
        con.execute("CREATE TABLE units AS SELECT range AS unit_code FROM range(?)", [rows])
        con.close()
        os.replace(new, db)

    db = tmp_path / "w.duckdb"
    publish(3)
    out, err = io.StringIO(), io.StringIO()
    shell = Shell(db, out=out, err=err, interactive=True, csv_output=True)
    try:
        shell.push("SELECT count(*) AS n")
        shell.push("FROM units;")
        assert out.getvalue() == "n\n3\n" and not err.getvalue()
        publish(5)
        shell.push("SELECT count(*) AS n FROM units;")
        assert ".reload" in err.getvalue() and out.getvalue().endswith("n\n3\n")  # still its snapshot
        assert shell.push(".reload") and "已重新打开" in out.getvalue()
        shell.push("SELECT count(*) AS n FROM units;")
        assert out.getvalue().endswith("n\n5\n") and shell.errors == 0
        assert shell.push(".quit") is False
    finally:
        shell.close()


# ------------------------------------------------------------------------------------------- the pieces


@pytest.mark.unit
@pytest.mark.parametrize(("text", "complete"), [
    ("SELECT 1;", True),
    ("SELECT 1", False),
    ("SELECT 1;  -- done", True),
    ("SELECT ';", False),
    ("SELECT ';'", False),
    ("SELECT ';' ;", True),
    ("SELECT 1 /* ; */", False),
    ("SELECT 1 /* ;", False),
    ("SELECT 1 -- ;\n", False),
    ("SELECT $$ ; $$", False),
    ("SELECT $x$ ; $x$;", True),
    ('SELECT "a;b"\n FROM t;', True),
])
def test_where_a_statement_ends(text, complete):
    assert statement_complete(text) is complete


@pytest.mark.unit
def test_statements_are_cut_at_their_semicolons_only():
    text = "SELECT ';' AS a; -- one; two\nSELECT 2 /* ; */ AS b;\nSELECT $$;$$ AS c; SELECT 4"
    assert split_statements(text) == (["SELECT ';' AS a", " -- one; two\nSELECT 2 /* ; */ AS b",
                                       "\nSELECT $$;$$ AS c"], " SELECT 4")


@pytest.mark.unit
def test_the_footer_is_chinese_and_as_wide():
    con = duckdb.connect()
    try:
        rel = con.sql("SELECT range AS i, range AS j, range AS k, range AS l FROM range(100)")
        shown = io.StringIO()
        import contextlib

        with contextlib.redirect_stdout(shown):
            rel.show(max_rows=6, max_width=30)
    finally:
        con.close()
    text = chinese_footer(shown.getvalue())
    assert "rows" not in text and "columns" not in text and "shown" not in text
    assert "共 100 行" in text and "列" in text
    bottom = [line for line in text.splitlines() if line.startswith("└")][0]
    footer = [line for line in text.splitlines() if "共 100 行" in line][0]
    from countystats.argparse_zh import width

    assert width(footer) <= width(bottom)
