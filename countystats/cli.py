"""The `countystats` command (shared/spec/interfaces.md). Heavy imports stay inside the commands."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

EXIT_CONFIG = 3  # the registry or a setting is wrong: nothing was done (check: 0 ok, 1 errors, 2 unreadable)


def _path(text: str) -> Path:
    """A path given on the command line is relative to where the command was typed (a setting from the
    environment, by contrast, is relative to the project: countystats/settings.py)."""
    return Path(text).expanduser().absolute()


def _say(text: str, stream=None) -> None:
    """Print text that may quote a file (names, labels): control characters escaped, line by line."""
    from transforms.inbox.intake import printable

    print("\n".join(printable(line) for line in text.split("\n")), file=stream or sys.stdout)


def _check(args: argparse.Namespace) -> int:
    from countystats.checking import check_file, summary_zh
    from expectations.feedback import FeedbackFailed
    from transforms.registry import DEFAULT_REGISTRY, Registry

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
    if feedback_error is not None:
        _say(str(feedback_error), sys.stderr)
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
    from transforms.writing.layouts import write_template

    try:
        path = write_template(unit_name=args.unit, year=args.year, out=args.output, units=args.units, area=args.area)
    except ValueError as exc:  # no such unit, or one name in several counties: said plainly, no traceback
        _say(str(exc), sys.stderr)
        return 2
    print(path)
    return 0


def _export(args: argparse.Namespace) -> int:
    from countystats.settings import Settings
    from transforms.writing.export import AreaError, export_county

    settings = Settings.from_env(db=args.db)
    try:
        path = export_county(year=args.year, db=settings.db, out=args.output or settings.out, area=args.area)
    except AreaError as exc:  # an area code the warehouse does not know: said plainly, no traceback
        _say(str(exc), sys.stderr)
        return 2
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


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="countystats", description="政府信息公开工作年度报告：收集、校验、汇总、发布")
    sub = p.add_subparsers(dest="command", required=True)

    c = sub.add_parser("check", help="校验一个报送文件：Excel 工作簿、Word、PDF 或网页（不写数据库）")
    c.add_argument("file")
    c.add_argument("--units", help="单位名册 CSV（默认 config/units.csv）")
    c.add_argument("--year", type=int, help="报告年度（文件中找不到时）")
    c.add_argument("--unit", help="报送单位名称（文件中找不到时）")
    c.add_argument("--area", help="报送单位所属区划代码（一个部署管多个县时，在该县的单位中查找）")
    c.add_argument("--json", action="store_true", help="输出 JSON")
    c.add_argument("--feedback", type=Path, help="把标注了问题的工作簿写到此路径（.xlsx；Word、PDF、网页报告按读到的表格生成）")
    c.set_defaults(func=_check)

    # settings not given on the command line come from COUNTYSTATS_* or the defaults (countystats/settings.py)
    r = sub.add_parser("run", help="整套夜间作业（与 Airflow DAG 相同的函数）")
    for name in ("--inbox", "--db", "--out", "--units"):
        r.add_argument(name, type=_path)
    r.add_argument("--backfill", action="store_true",
                   help="补录往年已发布的报告（PDF、网页等）：收到时间不算逾期（docs/nightly.md）")
    r.set_defaults(func=_run)

    b = sub.add_parser("rebuild", help="从归档重建数据仓库（丢失或结构版本升级后），完成后替换已发布的数据仓库")
    for name in ("--archive", "--db", "--out", "--units"):
        b.add_argument(name, type=_path)
    b.set_defaults(func=_rebuild)

    n = sub.add_parser("nightly", help="在本机用 Airflow（SQLite 元数据库）跑一次夜间 DAG，使用示例市（三个县）的数据")
    n.add_argument("--fresh", action="store_true", help="先清空数据仓库、归档、输出和本机 Airflow 运行记录")
    n.set_defaults(func=_nightly)

    t = sub.add_parser("template", help="生成某单位的空白报送表")
    t.add_argument("--unit", required=True, help="单位名称、别名或单位代码")
    t.add_argument("--area", help="单位所属区划代码（多个县有同名单位时）")
    t.add_argument("--year", type=int, required=True)
    t.add_argument("-o", "--output", type=_path)
    t.add_argument("--units", type=_path)
    t.set_defaults(func=_template)

    e = sub.add_parser("export", help="导出全县（或某一区划：县、市、省）汇总表（法定格式）")
    e.add_argument("--year", type=int, required=True)
    e.add_argument("--area", help="区划代码（县、市或省，见 config/areas.csv）；不填：本部署的全县（唯一的最上级区划）")
    e.add_argument("-o", "--output", type=_path)
    e.add_argument("--db", type=_path)
    e.set_defaults(func=_export)

    v = sub.add_parser("review", help="县政府办公室审核：列出待核实的报告，接受、退回或撤销决定")
    actions = v.add_subparsers(dest="action", required=True)
    shared = argparse.ArgumentParser(add_help=False)
    for name in ("--db", "--archive", "--out"):
        shared.add_argument(name, type=_path)
    lst = actions.add_parser("list", parents=[shared], help="列出报告（默认：待核实的）")
    lst.add_argument("--year", type=int)
    lst.add_argument("--status", default="needs_review", help="状态代码，或 all（全部）")
    for action, many, text in (("accept", True, "接受提醒（可一次多个编号）"), ("return", False, "退回给单位"),
                               ("reopen", False, "撤销审核决定")):
        a = actions.add_parser(action, parents=[shared], help=text)
        a.add_argument("ids", type=int, nargs="+" if many else 1, metavar="ID")
        a.add_argument("--reason", required=True, help="理由")
        a.add_argument("--by", help="决定人（默认：当前用户）")
    v.set_defaults(func=_review)

    o = sub.add_parser("portal", help="启动报送门户（网页和 JSON 接口）：各单位上传报告，立即看到校验结果")
    o.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1；对外服务时放在 nginx 后面）")
    o.add_argument("--port", type=int, default=8321, help="端口（默认 8321）")
    o.add_argument("--root-path", default="", help="在反向代理的子路径下提供服务时的路径（如 /portal）")
    o.add_argument("--forwarded-allow-ips", help="信任其 X-Forwarded-For 的代理地址（默认只信任 127.0.0.1）")
    for name in ("--inbox", "--db", "--units", "--archive"):
        o.add_argument(name, type=_path)
    o.set_defaults(func=_portal)

    k = sub.add_parser("access-codes", help="报送门户的访问码：发放（只显示一次，只保存加盐哈希）或停用")
    codes = k.add_subparsers(dest="action", required=True)
    issue = codes.add_parser("issue", help="发放访问码，输出 unit_code,unit_name,access_code")
    who = issue.add_mutually_exclusive_group(required=True)
    who.add_argument("--unit", nargs="+", metavar="CODE", help="单位代码（可多个）；原有访问码随之停用")
    who.add_argument("--all", action="store_true", help="名册中的全部单位")
    who.add_argument("--office", metavar="NAME", help="县政府办公室人员的访问码（写明姓名，审核决定记在其名下）")
    issue.add_argument("-o", "--output", type=_path, help="写入此 CSV 文件（仅本人可读），而不是屏幕")
    revoke = codes.add_parser("revoke", help="停用访问码")
    gone = revoke.add_mutually_exclusive_group(required=True)
    gone.add_argument("--unit", metavar="CODE", help="单位代码")
    gone.add_argument("--office", metavar="NAME", help="县政府办公室人员姓名")
    for parser in (issue, revoke):
        parser.add_argument("--db", type=_path, help="数据仓库（默认存储在其旁边的 portal.sqlite）")
        parser.add_argument("--units", type=_path)
    k.set_defaults(func=_access_codes)

    x = sub.add_parser("example", help="生成示例县的报送文件（及门户网站上往年发布的报告）")
    x.add_argument("--inbox", type=_path, default="data/example-inbox")
    x.add_argument("--city", action="store_true",
                   help="生成示例市（三个县，按区划代码分文件夹）的报送文件；运行时用 --units config/city/units.csv")
    x.add_argument("--published", type=_path, help="另把往年已发布的报告（PDF、网页）写到此文件夹，供补录")
    x.set_defaults(func=_example)
    return p


def main(argv: list[str] | None = None) -> int:
    from transforms.registry import RegistryError

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except RegistryError as exc:  # the office's configuration: said plainly, no traceback
        _say(str(exc), sys.stderr)
        return EXIT_CONFIG


if __name__ == "__main__":
    sys.exit(main())
