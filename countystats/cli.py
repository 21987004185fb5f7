"""The `countystats` command (shared/spec/interfaces.md). Heavy imports stay inside the commands.

Everything it says is Chinese, argparse's own words included (countystats/argparse_zh.py). Exit codes: ``check`` 0
acceptable, 1 errors found, 2 unreadable (the spec's); for every command 2 is bad usage or input (argparse's code: a
missing argument, a bad year, a file that is not there, an unknown or inactive unit), 3 a wrong registry or setting,
70 an internal error (a bug: one Chinese line, the details in a file; ``COUNTYSTATS_DEBUG=1`` shows the traceback),
130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import re
import sys
from pathlib import Path

from countystats.argparse_zh import ChineseArgumentParser

EXIT_USAGE = 2  # bad usage or input: what argparse exits with, and check's "could not be read at all"
EXIT_CONFIG = 3  # the registry or a setting is wrong: nothing was done (check: 0 ok, 1 errors, 2 unreadable)
EXIT_INTERNAL = 70  # a bug (sysexits' EX_SOFTWARE): never one of the codes scripts act on
EXIT_INTERRUPTED = 130
DEBUG_ENV = "COUNTYSTATS_DEBUG"  # set: an internal error shows its traceback instead of one line


def _path(text: str) -> Path:
    """A path given on the command line is relative to where the command was typed (a setting from the
    environment, by contrast, is relative to the project: countystats/settings.py)."""
    return Path(text).expanduser().absolute()


def _year(text: str) -> int:
    """A report year: four digits within the years annual reports exist for (the registry's bounds)."""
    from transforms.format import FIRST_REPORT_YEAR
    from transforms.registry import LAST_YEAR

    if not re.fullmatch(r"\d{4}", text.strip()):
        raise argparse.ArgumentTypeError(f"年度应为四位数字，如 2024（收到的是“{text}”）")
    year = int(text)
    if not FIRST_REPORT_YEAR <= year <= LAST_YEAR:
        raise argparse.ArgumentTypeError(f"年度 {year} 不在 {FIRST_REPORT_YEAR}–{LAST_YEAR} 之间"
                                         f"（《政府信息公开条例》{FIRST_REPORT_YEAR} 年施行，此前没有年度报告）")
    return year


def _count(text: str) -> int:
    """A whole number, 0 or more (a submission's id, a number of rows)."""
    if not re.fullmatch(r"\d+", text.strip()):
        raise argparse.ArgumentTypeError(f"应为整数，如 12（收到的是“{text}”）")
    return int(text)


def _port(text: str) -> int:
    if not re.fullmatch(r"\d+", text.strip()) or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"端口应为 1–65535 之间的整数（收到的是“{text}”）")
    return int(text)


def _say(text: str, stream=None) -> None:
    """Print text that may quote a file (names, labels): control characters escaped, line by line."""
    from transforms.inbox.intake import printable

    print("\n".join(printable(line) for line in text.split("\n")), file=stream or sys.stdout)


def _check(args: argparse.Namespace) -> int:
    from countystats.checking import check_file, summary_zh
    from expectations.feedback import FeedbackFailed
    from transforms.inbox.intake import display_name
    from transforms.registry import DEFAULT_REGISTRY, Registry

    # a name mistyped is the clerk's slip, not a submission: said as such (no "save it as .xlsx" advice); with
    # --json the verdict stays JSON (unreadable, the reason as its finding: the spec's contract for scripts)
    if args.json:
        pass
    elif Path(args.file).is_dir():
        _say(f"“{display_name(args.file)}”是文件夹，不是文件：请给出要校验的那一个报送文件", sys.stderr)
        return EXIT_USAGE
    elif not Path(args.file).exists():
        _say(f"找不到文件：{display_name(args.file)}（请检查文件名和所在文件夹；文件名含空格时请加引号）", sys.stderr)
        return EXIT_USAGE
    registry = Registry.load(args.units or DEFAULT_REGISTRY)  # once: the check and the unit's county in the summary
    feedback_error = None
    try:
        submission = check_file(args.file, units=args.units, year=args.year, unit_name=args.unit,
                                feedback=args.feedback, area=args.area, registry=registry)
    except FeedbackFailed as exc:  # the verdict stands; only the marked-up copy could not be made
        feedback_error, submission = exc, exc.submission
    if args.json:
        json.dump(submission.to_json(), sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        _say(summary_zh(submission, registry.area_name(submission.area_code) if submission.area_code else ""))
    if args.feedback is not None:
        # after the summary; beside --json on stderr, so that stdout stays one JSON object
        stream = sys.stderr if args.json else sys.stdout
        if feedback_error is not None:
            _say(str(feedback_error), sys.stderr)
        elif submission.unreadable:
            _say("文件无法读取，没有生成标注问题的工作簿。", stream)
        else:
            _say(f"已写出标注问题的工作簿：{args.feedback}", stream)
    return {"unreadable": 2, "rejected": 1}.get(submission.status, 0)


def _run(args: argparse.Namespace) -> int:
    from countystats.pipeline import run
    from countystats.settings import Settings

    settings = Settings.from_env(inbox=args.inbox, db=args.db, out=args.out, units=args.units,
                                 backfill=True if args.backfill else None)
    result = run(settings)
    _say(result.summary_zh())
    return 0


def _rebuild(args: argparse.Namespace) -> int:
    from countystats.pipeline import rebuild
    from countystats.settings import Settings

    settings = Settings.from_env(archive=args.archive, db=args.db, out=args.out, units=args.units)
    result = rebuild(settings)
    _say(result.summary_zh())
    return 0


def _nightly(args: argparse.Namespace) -> int:
    from countystats.nightly import run_dag_locally

    return run_dag_locally(fresh=args.fresh)


def _template(args: argparse.Namespace) -> int:
    from transforms.registry import DEFAULT_REGISTRY, Registry
    from transforms.writing.layouts import write_template

    units = args.units or DEFAULT_REGISTRY
    registry = Registry.load(units)
    if not registry.unknown_area(args.area):  # an unknown area, an unknown or ambiguous name: write_template says
        found = ([registry.by_code[args.unit]] if args.unit in registry.by_code
                 else registry.matches(args.unit, args.area))
        if len(found) == 1 and not found[0].expected_in(args.year):
            _say(f"{found[0].unit_name}（{found[0].unit_code}）不报送 {args.year} 年度的报告：按单位名册（{units} 的 "
                 f"active_from、active_to），它报送的是{_years(found[0])}的报告", sys.stderr)
            return EXIT_USAGE
    path = write_template(unit_name=args.unit, year=args.year, out=args.output, units=args.units, area=args.area)
    print(path)
    return 0


def _years(unit) -> str:
    if unit.active_from and unit.active_to:
        return f" {unit.active_from}–{unit.active_to} 年度"
    return f" {unit.active_from} 年度起" if unit.active_from else f" {unit.active_to} 年度及以前"


def _export(args: argparse.Namespace) -> int:
    from countystats.settings import Settings
    from transforms.writing.export import export_county

    # no such area, no countable report, no warehouse, a file type it cannot write: main says them plainly (exit 2)
    settings = Settings.from_env(db=args.db)
    path = export_county(year=args.year, db=settings.db, out=args.output or settings.out, area=args.area)
    print(path)
    return 0


def _review(args: argparse.Namespace) -> int:
    from countystats.review import ReviewError, decide, listing
    from countystats.settings import Settings
    from transforms.format import STATUS_ZH

    settings = Settings.from_env(db=args.db, archive=args.archive, out=args.out)
    try:
        if args.action == "list":
            rows = listing(settings, year=args.year, status=None if args.status == "all" else args.status)
            if not rows:
                _say("没有符合条件的报告。")
                return 0
            _say("编号    年度  状态                  提醒  收到时间          单位 / 文件")
            for r in rows:
                pending = f"（已决定{ACTION_ZH[r.pending]}，下次运行生效）" if r.pending else ""
                _say(f"{r.submission_id:<7} {r.report_year or '':<5} {STATUS_ZH.get(r.status, r.status) + pending:<12}"
                     f"  {r.warnings:<4}  {r.received_at:%Y-%m-%d %H:%M}  {r.unit_name or '未识别'} / {Path(r.file).name}")
            return 0
        done = decide(settings, args.action, args.ids, args.reason, by=args.by)
    except ReviewError as exc:
        _say(str(exc), sys.stderr)
        return 1
    _say(f"已记录 {len(done.decisions)} 个“{ACTION_ZH[args.action]}”决定（{done.decisions[0].decided_by}，"
         f"{done.decisions[0].decided_at}），下次运行时生效。")
    for path in done.documents:
        _say(f"  已生成：{path}")
    return 0


def _portal(args: argparse.Namespace) -> int:
    from countystats.portal.server import serve
    from countystats.settings import Settings

    settings = Settings.from_env(inbox=args.inbox, db=args.db, units=args.units, archive=args.archive)
    serve(settings, host=args.host, port=args.port, root_path=args.root_path,
          forwarded_allow_ips=args.forwarded_allow_ips)
    return 0


def _access_codes(args: argparse.Namespace) -> int:
    import csv
    import io
    import os

    from countystats.portal.store import Store
    from countystats.settings import Settings
    from transforms.registry import Registry

    settings = Settings.from_env(db=args.db, units=args.units)
    store, now = Store(settings.portal_store_url), settings.now()
    try:
        if args.action == "revoke":
            n = store.revoke(now, unit_code=args.unit, name=args.office)
            _say(f"已停用 {n} 个访问码。" if n else "没有可停用的访问码。", None if n else sys.stderr)
            return 0 if n else 1
        registry = Registry.load(settings.units)
        if args.office:
            rows = [("", args.office, store.issue("office", args.office, now))]
        else:
            units = [u for u in registry.units if args.all or u.unit_code in args.unit]
            unknown = sorted(set(args.unit or ()) - {u.unit_code for u in registry.units})
            if unknown:
                _say(f"单位代码不在名册中：{'、'.join(unknown)}（见 {settings.units}）", sys.stderr)
                return 2
            rows = [(u.unit_code, u.unit_name, store.issue("unit", u.unit_name, now, u.unit_code, u.area_code))
                    for u in units]
    finally:
        store.close()
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(("unit_code", "unit_name", "access_code"))
    writer.writerows(rows)
    if args.output:
        # the codes exist only in this file from now on: readable by its owner alone
        fd = os.open(args.output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as fh:
            fh.write(text.getvalue())
        _say(f"已发放 {len(rows)} 个访问码，写入 {args.output}（只保存这一次，请妥善分发）", sys.stderr)
    else:
        sys.stdout.write(text.getvalue())
    return 0


ACTION_ZH = {"accept": "接受", "return": "退回", "reopen": "撤销"}


def _example(args: argparse.Namespace) -> int:
    from countystats.examples import city, county

    write_inbox, write_published = ((city.write_example_city_inbox, city.write_example_city_published) if args.city
                                    else (county.write_example_inbox, county.write_example_published))
    paths = write_inbox(Path(args.inbox))
    print(f"示例收件箱：{args.inbox}（{len(paths)} 个文件）")
    if args.published:
        paths = write_published(Path(args.published))
        print(f"门户网站往年发布的报告（用 run --backfill 补录）：{args.published}（{len(paths)} 个文件）")
    return 0


def _sql(args: argparse.Namespace) -> int:
    from countystats.settings import Settings
    from countystats.sql_shell import run_shell

    if args.sql is not None and args.file is not None:
        _say("-c 与文件只能给一个：要么 -c 'SQL'，要么 SQL 文件", sys.stderr)
        return EXIT_USAGE
    settings = Settings.from_env(db=args.db)
    return run_shell(settings.db, sql=args.sql, file=args.file, csv_output=args.csv, max_rows=args.max_rows)


# the help of options several commands share (settings not given come from COUNTYSTATS_* or the defaults:
# countystats/settings.py)
OPTION_HELP = {
    "--inbox": "收件箱文件夹：各单位报送的文件（默认 inbox，或环境变量 COUNTYSTATS_INBOX）",
    "--db": "数据仓库文件（默认 data/countystats.duckdb，或环境变量 COUNTYSTATS_DB）",
    "--out": "输出文件夹：仪表盘、运行摘要、问题清单、导出的报表（默认 output，或 COUNTYSTATS_OUT）",
    "--units": "单位名册 CSV（默认 config/units.csv，或 COUNTYSTATS_UNITS）",
    "--archive": "归档文件夹：收到的每个文件原样保存（默认 archive，或 COUNTYSTATS_ARCHIVE）",
}
METAVAR = {"--inbox": "DIR", "--db": "PATH", "--out": "DIR", "--units": "CSV", "--archive": "DIR"}


def _settings(parser: argparse.ArgumentParser, *names: str, **help_: str) -> None:
    for name in names:
        parser.add_argument(name, type=_path, metavar=METAVAR[name],
                            help=help_.get(name.lstrip("-"), OPTION_HELP[name]))


SQL_EPILOG = """\
数据仓库以只读方式打开，不会被修改：CREATE TABLE、INSERT 等会报错（中间结果可用 CREATE TEMP TABLE）。\
夜间作业照常运行：它生成新文件后替换旧文件，已打开的会话看到的仍是打开时的数据；输入 .reload（或重新运行本命令）看新数据。
交互方式：语句以 ; 结尾，可以跨行；.tables 列出表和视图及其说明，.schema 名称 查看各列及说明，.help 查看全部命令，\
.quit 或 Ctrl-D 退出；出错时显示一行“错误：…”，可以继续输入。
给出 -c、SQL 文件或从管道输入时，依次执行其中的语句，遇到错误即停止（退出码 1）；找不到数据仓库时退出码为 2。
在 Python 中：duckdb.connect("data/countystats.duckdb", read_only=True)。各表的说明和查询示例见 docs/analysts.md。"""


def build_parser() -> argparse.ArgumentParser:
    p = ChineseArgumentParser(prog="countystats", description="政府信息公开工作年度报告：收集、校验、汇总、发布",
                              epilog="各命令的说明：countystats 命令 -h（例如 countystats check -h）")
    sub = p.add_subparsers(dest="command", required=True, metavar="命令", help="要执行的操作（见下）")

    c = sub.add_parser("check", help="校验一个报送文件：Excel 工作簿、Word、PDF 或网页（不写数据库）",
                       description="校验一个报送文件，不写数据库：乡镇、部门报送前自查用。退出码：0 可以报送（允许有提醒），"
                                   "1 有错误，2 文件无法读取（或找不到文件）。")
    c.add_argument("file", metavar="FILE", help="要校验的报送文件（.xlsx、.xls、.docx、.pdf、.html 等）")
    c.add_argument("--units", metavar="CSV", help="单位名册 CSV（默认 config/units.csv）")
    c.add_argument("--year", type=_year, metavar="YEAR", help="报告年度，四位数字（文件中找不到时）")
    c.add_argument("--unit", metavar="NAME", help="报送单位名称（文件中找不到时）")
    c.add_argument("--area", metavar="CODE", help="报送单位所属区划代码（一个部署管多个县时，在该县的单位中查找）")
    c.add_argument("--json", action="store_true", help="输出 JSON（格式见 shared/spec/interfaces.md）")
    c.add_argument("--feedback", type=_path, metavar="XLSX",
                   help="把标注了问题的工作簿写到此路径（.xlsx；Word、PDF、网页报告按读到的表格生成）")
    c.set_defaults(func=_check)

    r = sub.add_parser("run", help="整套夜间作业（与 Airflow DAG 相同的函数）",
                       description="整套夜间作业：收取收件箱中的新文件，校验、入库，发布仪表盘和报表。")
    _settings(r, "--inbox", "--db", "--out", "--units")
    r.add_argument("--backfill", action="store_true",
                   help="补录往年已发布的报告（PDF、网页等）：收到时间不算逾期（docs/nightly.md）")
    r.set_defaults(func=_run)

    b = sub.add_parser("rebuild", help="从归档重建数据仓库（丢失或结构版本升级后），完成后替换已发布的数据仓库")
    _settings(b, "--archive", "--db", "--out", "--units")
    b.set_defaults(func=_rebuild)

    n = sub.add_parser("nightly", help="在本机用 Airflow（SQLite 元数据库）跑一次夜间 DAG，使用示例市（三个县）的数据")
    n.add_argument("--fresh", action="store_true", help="先清空数据仓库、归档、输出和本机 Airflow 运行记录")
    n.set_defaults(func=_nightly)

    t = sub.add_parser("template", help="生成某单位的空白报送表")
    t.add_argument("--unit", required=True, metavar="NAME", help="单位名称、别名或单位代码")
    t.add_argument("--area", metavar="CODE", help="单位所属区划代码（多个县有同名单位时）")
    t.add_argument("--year", type=_year, required=True, metavar="YEAR", help="报告年度，四位数字，如 2024")
    t.add_argument("-o", "--output", type=_path, metavar="FILE",
                   help="写到此文件（.xlsx）或文件夹（默认：当前文件夹，按年度和单位命名）")
    _settings(t, "--units")
    t.set_defaults(func=_template)

    e = sub.add_parser("export", help="导出全县（或某一区划：县、市、省）汇总表（法定格式）")
    e.add_argument("--year", type=_year, required=True, metavar="YEAR", help="报告年度，四位数字，如 2024")
    e.add_argument("--area", metavar="CODE",
                   help="区划代码（县、市或省，见 config/areas.csv）；不填：本部署的全县（唯一的最上级区划）")
    e.add_argument("-o", "--output", type=_path, metavar="FILE",
                   help="写到此文件或文件夹（默认：输出文件夹 output，或 COUNTYSTATS_OUT）")
    _settings(e, "--db", db="从此数据仓库导出（默认 data/countystats.duckdb，或 COUNTYSTATS_DB）")
    e.set_defaults(func=_export)

    q = sub.add_parser("sql", help="以只读方式打开已发布的数据仓库，用 SQL 查询（分析人员用）",
                       description="以只读方式打开已发布的数据仓库（DuckDB），执行 SQL 查询：给出 -c 或 SQL 文件时执行后退出，"
                                   "否则进入交互方式。",
                       epilog=SQL_EPILOG)
    q.add_argument("file", nargs="?", metavar="FILE", help="执行此文件中的 SQL 语句（UTF-8；- 表示标准输入）")
    q.add_argument("-c", "--command", dest="sql", metavar="SQL", help="执行这段 SQL（可多条，以 ; 分隔）后退出")
    _settings(q, "--db", db="要打开的数据仓库（默认 data/countystats.duckdb，或 COUNTYSTATS_DB）")
    q.add_argument("--csv", action="store_true", help="结果以 CSV 输出（UTF-8，含表头），便于交给其他程序或保存为文件")
    q.add_argument("--max-rows", type=_count, default=40, metavar="N",
                   help="表格最多显示多少行（默认 40，0 为不限；结果很多时用 --csv）")
    q.set_defaults(func=_sql)

    v = sub.add_parser("review", help="县政府办公室审核：列出待核实的报告，接受、退回或撤销决定")
    actions = v.add_subparsers(dest="action", required=True, metavar="操作", help="审核操作（见下）")
    shared = ChineseArgumentParser(add_help=False)
    _settings(shared, "--db", "--archive", "--out",
              out="输出文件夹：退回通知和反馈工作簿写在这里（默认 output，或 COUNTYSTATS_OUT）")
    lst = actions.add_parser("list", parents=[shared], help="列出报告（默认：待核实的）")
    lst.add_argument("--year", type=_year, metavar="YEAR", help="只列此年度的报告")
    lst.add_argument("--status", default="needs_review", metavar="STATUS",
                     help="状态代码（needs_review、accepted、returned 等），或 all（全部）；默认 needs_review")
    for action, many, text in (("accept", True, "接受提醒（可一次多个编号）"), ("return", False, "退回给单位"),
                               ("reopen", False, "撤销审核决定")):
        a = actions.add_parser(action, parents=[shared], help=text)
        a.add_argument("ids", type=_count, nargs="+" if many else 1, metavar="ID",
                       help="报告编号（review list 的第一列）" + ("，可多个" if many else ""))
        a.add_argument("--reason", required=True, metavar="TEXT", help="理由")
        a.add_argument("--by", metavar="NAME", help="决定人（默认：当前用户）")
    v.set_defaults(func=_review)

    o = sub.add_parser("portal", help="启动报送门户（网页和 JSON 接口）：各单位上传报告，立即看到校验结果")
    o.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1；对外服务时放在 nginx 后面）")
    o.add_argument("--port", type=_port, default=8321, help="端口（默认 8321）")
    o.add_argument("--root-path", default="", metavar="PATH", help="在反向代理的子路径下提供服务时的路径（如 /portal）")
    o.add_argument("--forwarded-allow-ips", metavar="IPS", help="信任其 X-Forwarded-For 的代理地址（默认只信任 127.0.0.1）")
    _settings(o, "--inbox", "--db", "--units", "--archive",
              inbox="收件箱文件夹：上传的文件完整写入后放到这里，等夜间作业收取（默认 inbox，或 COUNTYSTATS_INBOX）",
              db="已发布的数据仓库：跨年度规则用（默认 data/countystats.duckdb，或 COUNTYSTATS_DB）")
    o.set_defaults(func=_portal)

    k = sub.add_parser("access-codes", help="报送门户的访问码：发放（只显示一次，只保存加盐哈希）或停用")
    codes = k.add_subparsers(dest="action", required=True, metavar="操作", help="发放或停用（见下）")
    issue = codes.add_parser("issue", help="发放访问码，输出 unit_code,unit_name,access_code")
    who = issue.add_mutually_exclusive_group(required=True)
    who.add_argument("--unit", nargs="+", metavar="CODE", help="单位代码（可多个）；原有访问码随之停用")
    who.add_argument("--all", action="store_true", help="名册中的全部单位")
    who.add_argument("--office", metavar="NAME", help="县政府办公室人员的访问码（写明姓名，审核决定记在其名下）")
    issue.add_argument("-o", "--output", type=_path, metavar="FILE", help="写入此 CSV 文件（仅本人可读），而不是屏幕")
    revoke = codes.add_parser("revoke", help="停用访问码")
    gone = revoke.add_mutually_exclusive_group(required=True)
    gone.add_argument("--unit", metavar="CODE", help="单位代码")
    gone.add_argument("--office", metavar="NAME", help="县政府办公室人员姓名")
    for parser in (issue, revoke):
        _settings(parser, "--db", "--units", db="数据仓库（门户的记录默认存储在其旁边的 portal.sqlite）")
    k.set_defaults(func=_access_codes)

    x = sub.add_parser("example", help="生成示例县的报送文件（及门户网站上往年发布的报告）")
    x.add_argument("--inbox", type=_path, default="data/example-inbox", metavar="DIR",
                   help="写到此文件夹（默认 data/example-inbox）")
    x.add_argument("--city", action="store_true",
                   help="生成示例市（三个县，按区划代码分文件夹）的报送文件；运行时用 --units config/city/units.csv")
    x.add_argument("--published", type=_path, metavar="DIR", help="另把往年已发布的报告（PDF、网页）写到此文件夹，供补录")
    x.set_defaults(func=_example)
    return p


_CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef]")
# what the system says about a file, in Chinese (the rest keep the system's words)
_OS_ZH = {errno.ENOENT: "找不到文件或文件夹", errno.EACCES: "没有权限", errno.EPERM: "没有权限",
          errno.EISDIR: "这是文件夹，不是文件", errno.ENOTDIR: "路径中有一段不是文件夹", errno.ENOSPC: "磁盘空间不足",
          errno.EROFS: "文件系统只读", errno.EEXIST: "已存在", errno.ENAMETOOLONG: "文件名太长"}


def _plain(exc: BaseException) -> str | None:
    """What to tell the user about an error they can act on, or None for a bug. Expected errors carry a Chinese
    message (every ValueError and LookupError the commands raise for bad input does: no such unit, area or year,
    no warehouse, a file type that cannot be written); an error of the operating system about a file (no such
    folder, no permission, disk full) is said with its file. Anything else is a bug."""
    if isinstance(exc, OSError) and exc.errno is not None and exc.strerror:  # the system's own words about a file
        reason = _OS_ZH.get(exc.errno, exc.strerror)
        if exc.filename is None:
            return reason
        return f"{reason}：{exc.filename}" + (f" → {exc.filename2}" if exc.filename2 else "")
    if isinstance(exc, (ValueError, LookupError, OSError)) and _CJK.search(str(exc)):
        return str(exc)
    cause = exc.__cause__ or exc.__context__  # a library's own error for a file it could not write (xlsxwriter's)
    if isinstance(cause, OSError) and cause.filename is not None:
        return _plain(cause)
    return None


def _internal_error(exc: BaseException) -> int:
    """One Chinese line for a bug; the traceback kept in a file (and shown with COUNTYSTATS_DEBUG=1)."""
    import tempfile
    import traceback

    details = "".join(traceback.format_exception(exc))
    try:
        fd, name = tempfile.mkstemp(prefix="countystats-error-", suffix=".txt")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(f"{' '.join(sys.argv)}\n\n{details}")
        where = f"详细信息已写入 {name}，请连同所执行的命令交给维护人员"
    except OSError:
        sys.stderr.write(details)
        where = "详细信息见上"
    _say(f"countystats 内部错误（{type(exc).__name__}：{str(exc).splitlines()[0] if str(exc) else ''}）。"
         f"这是程序的问题，不是您的文件或操作的问题；{where}。设置环境变量 {DEBUG_ENV}=1 后重新运行可直接显示详细信息。",
         sys.stderr)
    return EXIT_INTERNAL


def main(argv: list[str] | None = None) -> int:
    from transforms.registry import RegistryError

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        _say("已中断。", sys.stderr)
        return EXIT_INTERRUPTED
    except RegistryError as exc:  # the office's configuration: said plainly, no traceback
        _say(str(exc), sys.stderr)
        return EXIT_CONFIG
    except Exception as exc:
        if os.environ.get(DEBUG_ENV):
            raise
        message = _plain(exc)
        if message is None:
            return _internal_error(exc)
        _say(message, sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
