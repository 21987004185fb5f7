"""`countystats sql`: the published warehouse, read-only, for analysts.

The warehouse is written by the python ``duckdb`` this project installs; the DuckDB command-line shell on the package
index is another major version, whose storage format need not match, and nothing installs it. So the shell is this:
the same ``duckdb`` module, the file opened ``read_only=True`` (the nightly job replaces the file whole and readers
keep the snapshot they opened; ``.reload`` opens the new one), results drawn by DuckDB's own table renderer (which
measures Chinese characters as two columns) with its footer in Chinese, or written as CSV.

Input, whatever its source (``-c``, a file, a pipe, the keyboard), is read line by line the same way: a statement
ends with ``;`` outside quotes and comments and may span lines; a line starting with ``.`` where a statement would
start is a command (``.tables``, ``.schema NAME``, ``.reload``, ``.help``, ``.quit``). An error is one line,
``错误：`` and DuckDB's message; at the keyboard the shell goes on, from a script it stops (exit 1).
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import shutil
import sys
import unicodedata
from datetime import datetime
from pathlib import Path

PROMPT = "countystats> "
MORE = "...> ".rjust(len(PROMPT))  # a statement's next line
HISTORY = Path("~/.countystats_sql_history")
HISTORY_LINES = 2000
MAX_ROWS = 40
# the kinds of statement whose result is rows to show (the others, SET or a temporary table's CREATE, say nothing)
RESULT_KINDS = {"SELECT", "PRAGMA", "EXPLAIN", "CALL", "EXECUTE", "RELATION", "LOGICAL_PLAN"}

HELP = """\
命令（写在一行的开头）：
  .tables [文字]       列出表和视图及其中文说明（可只列名称含“文字”的）
  .schema 名称         一个表或视图的各列：类型和中文说明（.describe 相同）
  .reload              重新打开数据仓库：看夜间作业发布的新数据
  .help                本说明
  .quit                退出（.exit、Ctrl-D 相同）
SQL 语句以 ; 结尾，可以跨行；Ctrl-C 放弃正在输入的语句。数据仓库只读：CREATE TABLE、INSERT 等会报错，
中间结果可用 CREATE TEMP TABLE。各列的说明也在 duckdb_columns() 中；查询示例见 docs/analysts.md。"""

TABLES_SQL = """
SELECT name AS 名称, kind AS 类型, split_part(coalesce(comment, ''), ' / ', 1) AS 说明 FROM (
    SELECT table_name AS name, CASE WHEN temporary THEN '临时表' ELSE '表' END AS kind, comment
    FROM duckdb_tables() WHERE NOT internal
    UNION ALL
    SELECT view_name, CASE WHEN temporary THEN '临时视图' ELSE '视图' END, comment
    FROM duckdb_views() WHERE NOT internal
) WHERE name ILIKE '%' || $pattern || '%'
ORDER BY kind, name
"""
RELATION_SQL = """
SELECT kind, name, split_part(coalesce(comment, ''), ' / ', 1) FROM (
    SELECT '表' AS kind, table_name AS name, comment FROM duckdb_tables() WHERE NOT internal
    UNION ALL
    SELECT '视图', view_name, comment FROM duckdb_views() WHERE NOT internal
) WHERE lower(name) = lower($name) LIMIT 1
"""
COLUMNS_SQL = """
SELECT column_name AS 列, data_type AS 类型, split_part(coalesce(comment, ''), ' / ', 1) AS 说明
FROM duckdb_columns() WHERE lower(table_name) = lower($name) AND NOT internal
ORDER BY column_index
"""


class WarehouseError(ValueError):
    """The warehouse cannot be opened; the message is Chinese, for the analyst."""


def open_warehouse(db: Path):
    """A read-only connection to the warehouse file ``db``."""
    import duckdb

    _openable(db)
    try:
        return duckdb.connect(str(db), read_only=True)
    except duckdb.Error as exc:
        raise WarehouseError(f"无法打开数据仓库 {db}：{one_line(exc)}") from None


def _openable(db: Path) -> None:
    if db.is_dir():
        raise WarehouseError(f"{db} 是文件夹，不是数据仓库文件（用 --db 指定 .duckdb 文件）")
    if not db.exists():
        raise WarehouseError(f"数据仓库不存在：{db}（先运行 countystats run 生成，或用 --db 指定数据仓库文件）")


def one_line(exc: BaseException) -> str:
    """DuckDB's message on one line: its first line, and the line of the statement it points at."""
    text = str(exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    where = re.search(r"^LINE (\d+):", text, flags=re.M)
    return first + (f"（第 {where.group(1)} 行）" if where else "")


_DOLLAR = re.compile(r"\$(?:[A-Za-z_]\w*)?\$")  # $$ … $$, $tag$ … $tag$


def split_statements(text: str) -> tuple[list[str], str]:
    """``text`` cut at each ``;`` outside quotes and comments: the statements it ends (each without its ``;``), and
    what follows the last (an unfinished statement, or nothing but space and comments)."""
    done, start, i, n = [], 0, 0, len(text)
    while i < n:
        c = text[i]
        if c in "'\"":
            end = text.find(c, i + 1)  # '' inside a string reads as two strings: the same for this purpose
            if end < 0:
                break
            i = end + 1
        elif text.startswith("--", i):
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                break
            i = end + 2
        elif c == "$" and (tag := _DOLLAR.match(text, i)):
            end = text.find(tag.group(), tag.end())
            if end < 0:
                break
            i = end + len(tag.group())
        elif c == ";":
            done.append(text[start:i])
            start = i = i + 1
        else:
            i += 1
    return done, text[start:]


def only_comments(text: str) -> bool:
    return not re.sub(r"--[^\n]*|/\*.*?\*/", "", text, flags=re.S).strip()


def statement_complete(text: str) -> bool:
    """Whether ``text`` ends a statement: a ``;`` outside quotes and comments, nothing but comments after it."""
    done, rest = split_statements(text)
    return bool(done) and only_comments(rest)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


# DuckDB's footer under a table → Chinese (most specific first)
_FOOTER = [
    (re.compile(r"\(>([\d,]+) rows, ([\d,]+) shown\)"), r"（超过 \1 行，显示 \2 行）"),
    (re.compile(r"([\d,]+) columns? \(([\d,]+) shown\)"), r"共 \1 列（显示 \2 列）"),
    (re.compile(r"([\d,]+) columns?"), r"\1 列"),
    (re.compile(r"([\d,]+) rows? \(([\d,]+) shown\)"), r"共 \1 行（显示 \2 行）"),
    (re.compile(r"\(([\d,]+) shown\)"), r"（显示 \1 行）"),
    (re.compile(r"\? rows"), "行数未统计"),
    (re.compile(r"([\d,]+) rows?"), r"\1 行"),
]


def chinese_footer(rendered: str) -> str:
    """DuckDB's table with the lines under it ("100 rows (40 shown)", "14 columns (9 shown)") in Chinese, each as
    wide as before so that the column count stays under the table's right edge."""
    lines = rendered.split("\n")
    bottom = max((i for i, line in enumerate(lines) if line.startswith("└")), default=len(lines))
    for i in range(bottom + 1, len(lines)):
        old = new = lines[i]
        for pattern, replacement in _FOOTER:
            new = pattern.sub(replacement, new)
        if new != old:
            lines[i] = _same_width(new, _width(old))
    return "\n".join(lines)


def _same_width(line: str, columns: int) -> str:
    diff = columns - _width(line)
    gaps = list(re.finditer(r"(?<=\S) {2,}(?=\S)", line))
    if diff and gaps:  # widen or narrow the gap between the row count and the column count
        gap = max(gaps, key=lambda m: len(m.group()))
        line = line[:gap.start()] + " " * max(2, len(gap.group()) + diff) + line[gap.end():]
    return line.rstrip()


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


class Shell:
    """One read-only session on the warehouse ``db``: :meth:`push` it lines, or run :meth:`interactive`."""

    def __init__(self, db: Path, out=None, err=None, csv_output: bool = False, max_rows: int = MAX_ROWS,
                 interactive: bool = False):
        self.db, self.csv, self.max_rows, self.is_interactive = Path(db), csv_output, max_rows, interactive
        self.out, self.err = out or sys.stdout, err or sys.stderr
        self.buffer: list[str] = []
        self.errors = 0
        self.con = open_warehouse(self.db)
        self.opened = self._stamp()
        self.told_newer = False

    # ------------------------------------------------------------------------------------------------ input

    def push(self, line: str) -> bool:
        """One line of input; False when it asks to quit."""
        if not self.buffer and line.lstrip().startswith("."):
            return self.command(line.strip())
        if not self.buffer and not line.strip():
            return True
        self.buffer.append(line)
        text = "\n".join(self.buffer)
        if statement_complete(text):
            self.buffer = []
            self.execute(text)
        return True

    def finish(self) -> None:
        """The end of a script: a last statement without its ``;`` runs too."""
        text, self.buffer = "\n".join(self.buffer), []
        if text.strip():
            self.execute(text)

    def run_script(self, text: str) -> int:
        """Every statement and command of ``text``, stopping at the first error: 0, or 1 after an error."""
        for line in text.splitlines():
            if not self.push(line) or self.errors:
                break
        else:
            self.finish()
        return 1 if self.errors else 0

    def interactive(self) -> int:
        """The keyboard: prompts, history, an error does not end the session. Returns 0 at .quit or Ctrl-D."""
        history = _start_history()
        self._say(f"countystats sql — 已以只读方式打开数据仓库 {self.db}（{self._updated()}）\n"
                  "语句以 ; 结尾，可以跨行；.tables 列出表和视图，.help 查看命令，.quit 或 Ctrl-D 退出。")
        try:
            while True:
                try:
                    line = input(MORE if self.buffer else PROMPT)
                except EOFError:
                    self.out.write("\n")
                    break
                except KeyboardInterrupt:  # Ctrl-C drops the statement being typed
                    self.out.write("\n")
                    self.buffer = []
                    continue
                if not self.push(line):
                    break
        finally:
            _save_history(history)
        return 0

    # ------------------------------------------------------------------------------------------------ commands

    def command(self, line: str) -> bool:
        name, _, rest = line.partition(" ")
        name, rest = name.lower(), rest.strip().rstrip(";").strip().strip('"')
        if name in (".quit", ".exit", ".q"):
            return False
        if name == ".help":
            self._say(HELP)
        elif name == ".tables":
            self._show_sql(TABLES_SQL, {"pattern": rest})
        elif name in (".schema", ".describe") and rest:
            self.describe(rest)
        elif name in (".schema", ".describe"):
            self._show_sql(TABLES_SQL, {"pattern": ""})
        elif name == ".reload":
            try:
                self.reload()
            except WarehouseError as exc:  # the file is gone for now: the session keeps what it has
                self._error(str(exc))
        else:
            self._error(f"没有命令 {name}（.help 查看可用的命令；SQL 语句不以 . 开头）")
        return True

    def describe(self, name: str) -> None:
        import duckdb

        name = name.split(".")[-1].strip('"')
        try:
            found = next(iter(self.con.sql(RELATION_SQL, params={"name": name}).fetchall()), None)
        except duckdb.Error as exc:
            self._error(one_line(exc))
            return
        if found is None:
            self._error(f"没有名为“{name}”的表或视图（.tables 列出全部）")
            return
        kind, name, comment = found
        self._say(f"{kind} {name}" + (f"：{comment}" if comment else ""))
        self._show_sql(COLUMNS_SQL, {"name": name})

    def reload(self) -> None:
        """Close and open again: the file the nightly job published since."""
        _openable(self.db)  # the file is gone for now: raises, and the session keeps the data it has
        # closed first: DuckDB keeps one database per file and process while a connection to it is open, so a
        # connection opened beside this one would see the old file again
        self.con.close()
        self.con, self.opened, self.told_newer = open_warehouse(self.db), self._stamp(), False
        self._say(f"已重新打开数据仓库 {self.db}（{self._updated()}）。")

    # ------------------------------------------------------------------------------------------------ statements

    def execute(self, text: str) -> bool:
        """Every statement of ``text`` (complete ones, and an unfinished rest), each on its own: those before an
        error have run, none after it."""
        import duckdb

        self._tell_if_newer()
        done, rest = split_statements(text)
        for piece in [*done, rest]:
            if only_comments(piece):
                continue
            try:
                for statement in self.con.extract_statements(piece):
                    self._run(statement.query, statement.type.name)
            except duckdb.Error as exc:
                self._abandon()
                self._error(one_line(exc) + _hint(exc))
                return False
            except KeyboardInterrupt:
                self.con.interrupt()
                self._abandon()
                self._error("已中断。")
                return False
        return True

    def _run(self, query: str, kind: str) -> None:
        if self.csv:
            self.con.execute(query)
            if kind in RESULT_KINDS and self.con.description and [d[0] for d in self.con.description] != ["Success"]:
                self._write_csv()
            else:
                self.con.complete()  # the connection takes no other statement before a result is finished
            return
        rel = self.con.sql(query)  # a query is run by show() below; any other statement here, at once
        if rel is None or kind not in RESULT_KINDS or rel.columns == ["Success"]:
            return
        if kind == "EXPLAIN":  # the plan is text drawn already
            self._say("\n".join(str(plan) for _, plan in rel.fetchall()))
            return
        self._show(rel)

    def _abandon(self) -> None:
        """Drop a result half read (an error or Ctrl-C while writing CSV): the next statement can run."""
        import duckdb

        with contextlib.suppress(duckdb.Error):
            self.con.abort()

    def _show(self, rel) -> None:
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):  # DuckDB prints through Python's sys.stdout
            rel.show(max_width=self._columns(), max_rows=self.max_rows or 10**9)
        self.out.write(chinese_footer(buffer.getvalue()))
        self.out.flush()

    def _show_sql(self, sql: str, params: dict) -> None:
        import duckdb

        try:
            if self.csv:
                self.con.execute(sql, params)
                self._write_csv()
            else:
                self._show(self.con.sql(sql, params=params))
        except duckdb.Error as exc:
            self._error(one_line(exc))

    def _write_csv(self) -> None:
        writer = csv.writer(self.out, lineterminator="\n")
        writer.writerow([d[0] for d in self.con.description])
        while rows := self.con.fetchmany(10_000):
            writer.writerows([_csv_value(v) for v in row] for row in rows)
        self.out.flush()

    def _columns(self) -> int | None:
        try:
            return shutil.get_terminal_size().columns if self.out.isatty() else None
        except (AttributeError, ValueError, OSError):
            return None

    # ------------------------------------------------------------------------------------------------ the file

    def _stamp(self):
        try:
            st = os.stat(self.db)
        except OSError:
            return None
        return st.st_ino, st.st_mtime_ns, st.st_size

    def _updated(self) -> str:
        try:
            return f"文件更新于 {datetime.fromtimestamp(self.db.stat().st_mtime):%Y-%m-%d %H:%M}"
        except OSError:
            return "文件已不在原处"

    def _tell_if_newer(self) -> None:
        """At the keyboard, once: the nightly job has published a new file since this session opened its own."""
        if self.is_interactive and not self.told_newer and self._stamp() != self.opened:
            self.told_newer = True
            self._say("提示：夜间作业已发布新的数据仓库；本会话仍是打开时的数据，输入 .reload 查看新数据。", self.err)

    # ------------------------------------------------------------------------------------------------ output

    def _say(self, text: str, stream=None) -> None:
        stream = stream or self.out
        stream.write(text + "\n")
        stream.flush()

    def _error(self, message: str) -> None:
        self.errors += 1
        self.out.flush()
        self._say("错误：" + message, self.err)

    def close(self) -> None:
        self.con.close()


def _hint(exc: BaseException) -> str:
    if "read-only" in str(exc):
        return "（数据仓库以只读方式打开，不能修改；中间结果可用 CREATE TEMP TABLE）"
    return ""


def _start_history():
    """readline's line editing and the history file, where the platform has them (not on Windows)."""
    try:
        import readline
    except ImportError:
        return None
    path = HISTORY.expanduser()
    try:
        readline.read_history_file(path)
    except OSError:  # none yet, or unreadable: start afresh
        pass
    readline.set_history_length(HISTORY_LINES)
    return readline, path


def _save_history(history) -> None:
    if history is None:
        return
    readline, path = history
    try:
        readline.write_history_file(path)
    except OSError:  # a read-only home: the session worked, only its history is not kept
        pass


def run_shell(db: Path, sql: str | None = None, file: str | None = None, csv_output: bool = False,
              max_rows: int = MAX_ROWS) -> int:
    """``countystats sql``: ``sql`` (-c), the statements of ``file`` ('-': standard input), the statements piped in,
    or the keyboard. 0 done; 1 a statement failed (a script stops there); 2 the warehouse or file cannot be opened."""
    if file is not None and file != "-":
        path = Path(file)
        if not path.is_file():
            sys.stderr.write(f"错误：找不到 SQL 文件：{file}\n" if not path.exists()
                             else f"错误：{file} 不是文件\n")
            return 2
        try:
            sql = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            sys.stderr.write(f"错误：{file} 不是 UTF-8 编码的文本（请另存为 UTF-8）\n")
            return 2
    keyboard = sql is None and file is None and sys.stdin.isatty()
    if sql is None and not keyboard:
        sql = sys.stdin.read()
    if csv_output and hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8")  # whatever the locale: CSV is UTF-8
    try:
        shell = Shell(db, csv_output=csv_output, max_rows=max_rows, interactive=keyboard)
    except WarehouseError as exc:
        sys.stderr.write(f"错误：{exc}\n")
        return 2
    try:
        return shell.interactive() if keyboard else shell.run_script(sql)
    finally:
        shell.close()
