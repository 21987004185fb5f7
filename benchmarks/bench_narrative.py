"""Find the near-copies (rule N-COPY) among 10,000 reports' sections 五 and 六 — and 1,000 for comparison.

    .venv/bin/python benchmarks/bench_narrative.py [--reports 10000] [--repeat 3] [--seed 1]

Each report's 五 (存在的主要问题及改进情况) and 六 (其他需要报告的事项) is 150–600 characters composed from a large
phrase bank (hundreds of phrases in slots, so unrelated sections share the vocabulary of every real report — 政务公开、
政策解读、培训 — and 六 its formulas — 未收取信息处理费、承办人大代表建议…件 — but stay far below 0.9: their
Jaccard of 3-character shingles is 0.06 on average, a little above the published reports' 0.03–0.06). About 1 % of the sections are planted near-copies of another report's: the unit's
name, the year and the figures changed, and then words replaced, two sentences swapped, or 2–6 % of the characters
changed at random places, always still ≥ 0.9 similar (rapidfuzz, after comparable()).

Timed, each a median of --repeat runs: comparable() over all the sections, building the two indexes (add_many, one
per section), and querying every section against its index (leaving out the report itself); first on one core (the
sections one after the other), then on two (each section's index in its own process: the work is Python, one core a
process). Prints the pairs found against the pairs planted. Target: 10,000 reports in a few seconds on 2 cores
(informative: no assert on time).
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rapidfuzz import fuzz  # noqa: E402

from transforms.narrative.copies import THRESHOLD, NearDuplicates, comparable  # noqa: E402

TARGET_S = 5.0
PHASES = ("comparable", "add_many", "matches")
PLANTED = 0.01

AREAS = ("政务公开 政府信息公开 依申请公开 主动公开 政策解读 政府网站 政务新媒体 基层政务公开 政务公开队伍 信息发布审核 "
         "主动公开目录 规范性文件管理 回应社会关切 政民互动 公开平台 重点领域信息公开 公共数据开放 政务服务事项公开 "
         "政府信息公开指南 文件档案管理 财政预决算公开 重大项目信息公开 涉企政策发布 民生领域信息公开 "
         "公共企事业单位信息公开 村务公开 政府公报 政务公开专区 政府开放日 在线访谈 意见征集 行政执法公示 权责清单 "
         "乡村振兴信息 生态环境信息 教育信息公开 卫生健康信息 应急管理信息发布 公共资源交易信息 统计数据发布 "
         "人事信息公开 惠企政策兑现 住房保障信息 征地拆迁信息 社会救助信息 就业创业信息 食品药品监管信息").split()
ASPECTS = ("工作机制 表现形式 内容深度 答复文书 更新频率 人员能力 标准化水平 覆盖范围 互动功能 针对性 智能化程度 "
           "统筹协调 审核把关 宣传引导 栏目设置 信息质量 考核监督 技术手段 通俗程度 时效性 检索功能 办理流程 "
           "队伍稳定性 制度建设 经费保障 工作台账 数据质量 公开范围 解读深度 回应速度").split()
STATES = ("有待进一步健全 仍较为单一 还不够 有待提升 不够及时 有待提高 不高 仍需扩大 仍有不足 不强 还有差距 不够有力 "
          "仍不够严格 不够充分 不够合理 参差不齐 不完善 运用不够 较为薄弱 存在短板 跟不上新要求 亟待加强 "
          "与群众期待有差距 落实不到位 存在薄弱环节").split()
VERBS = ("强化 健全 优化 完善 深化 加大 提升 规范 推进 拓展 加强 创新 夯实 压实 落实 改进 统筹 细化 严格 丰富 建立 "
         "探索 推动 做实 抓好 用好 聚焦").split()
OBJ_A = ("政策 依申请 主动公开 网站 新媒体 业务 信息发布 专栏 考核 基层 公众参与 文件 保密 答复 责任 数据 监督 队伍 "
         "咨询 平台 重点领域 开放日 问答库 集约化 栏目 台账 法律顾问 流程 会商 例会 案例 满意度 查阅点 便民服务 清单 "
         "图解 新闻发布 舆情 整改 培训 目录 指南 解读 标准 归档").split()
OBJ_B = ("解读工作 办理质量 目录编制 内容保障 日常管理 培训交流 审核机制 建设 评估 标准化建设 机制 集中公开 审查 "
         "文书规范 制度 共享 检查 能力建设 服务 功能 信息公开 活动 维护 整合 梳理 管理 审核 再造 研判 制度落实 指导 "
         "调查 布局 专区 清单 更新 制作 工作 监测 销号 考评 体系").split()
MEANS = "通过 依托 借助 结合 围绕 利用 采取 坚持 运用 对标 按照 针对".split()
TOOLS = ("图解、视频、问答等形式 专题培训和业务交流 常态化监测机制 第三方评估 门户网站和政务新媒体 年度重点工作任务 "
         "群众关注的热点问题 业务科室的沟通协作 大数据和人工智能技术 发布前审核流程 案例研讨和以案促学 "
         "清单化管理和动态更新 镇街和部门的指导 线上线下咨询渠道 分级审核和三审三校制度 全面自查和交叉检查 "
         "专家学者现场授课 先进地区经验 年度绩效考核 问题清单和责任清单 政务服务中心查阅点 宣传部门协调配合 "
         "上级主管部门要求 融媒体中心平台 座谈会和调研走访 明察暗访 信息员队伍 首问负责和限时办结 "
         "政策进社区进企业活动 意见箱和咨询热线 智能问答机器人 定期通报制度 政策汇编和工作手册 周检查月通报制度 "
         "政务公开工作要点 法治政府建设要求 营商环境评价指标 企业群众需求 条例和有关规定 网格化管理").split()
ACTS = "开展 组织 做好 推行 实施 持续开展 定期组织 全面推进 扎实开展 认真做好".split()
ACT_OBJ = ("专项检查 业务培训 集中整治 解读发布 内容更新 自查自纠 督导检查 效果评估 案例复盘 满意度测评 问题整改 "
           "信息核查 栏目优化 规范化建设 风险研判 交叉互评 政策宣讲 意见征集 在线答复 数据比对").split()
GOAL_A = "不断 切实 进一步 努力 着力 全面 持续 有效 稳步".split()
GOAL_B = ("提升政务公开质量和实效 保障群众的知情权、参与权和监督权 推动政务公开提质增效 增强政策知晓度 "
          "确保信息发布准确安全 提高答复规范化水平 让群众看得懂、用得上 以公开促落实 营造良好公开氛围 "
          "服务经济社会发展 增强政府公信力 提升工作人员业务水平 建设阳光透明政府 方便企业和群众查询 传递政策红利 "
          "推动惠民政策落地见效 形成上下联动格局 筑牢信息安全防线 提升群众满意度 确保任务落到实处 助力优化营商环境 "
          "防范行政复议和诉讼风险 提高公开工作的精准度 扩大公众参与面").split()
OPENINGS = ("{y}年，{n}政府信息公开工作取得了一定成效，但仍存在一些不足：|{y}年，{n}政务公开工作虽然取得了新进展，但对照上级"
            "要求还存在差距，主要是：|对照新时代政务公开工作要求，{n}仍存在以下问题：|一年来，{n}在政府信息公开工作中还存"
            "在一些薄弱环节：|{n}在{y}年度政务公开工作中发现以下主要问题：|总体看，{n}政务公开工作稳步推进，但也存在一些问"
            "题：||{y}年本单位政务公开工作存在的问题主要有：|存在的主要问题：").split("|")
NEXT = ("下一步，{n}将重点做好以下工作：|{y}年，将从以下方面加以改进：|针对上述问题，下一步将采取以下措施：|下一步整改措施："
        "|为此，我们将着力抓好以下几项工作：|{y}年改进措施如下：|我们将以问题为导向，认真加以整改：|改进情况：|今后，{n}将："
        ).split("|")
ORDINALS = "一是 二是 三是 四是 五是 六是 七是 八是".split()
# section 六: the fee, proposals handled, the year's key tasks, the unit's own practices; the fee and proposals
# sentences are as formulaic as real ones, in the many wordings units use
WHEN = "{y}年， {y}年度， 本年度 报告期内， 全年 今年".split()
WHO = "{n} 本机关 我单位 本单位 我局 我县".split()
FEE_VERBS = "未收取 没有收取 未发生收取 未向申请人收取 依申请公开政府信息未收取 未产生".split()
FEES = "信息处理费 政府信息公开信息处理费 任何费用 相关费用 信息公开处理费用".split()
FEE_ENDS = ("。|的情况。|，也未发出收费通知。|，无相关收费情况。|，未发出收费通知{a}件。|，全年依申请公开均免费提供。"
            ).split("|")
UNDERTAKE = "承办 办理 牵头办理 会同办理 主办".split()
PROPOSALS = ("人大代表建议 县人大代表建议和意见 人大代表议案建议 市人大代表建议 代表建议 人大建议").split()
MOTIONS = "政协委员提案 政协提案 县政协委员提案 委员提案 政协建议案".split()
OUTCOMES = ("均已按期办结|已全部办结并答复代表委员|办结率100%|代表委员满意率100%|答复全文已依法公开|"
            "按时办复率达到100%，满意和基本满意率100%|已全部按时办复，复文在门户网站专栏公开|"
            "均在规定时限内办结，采纳或部分采纳{c}件").split("|")
HEADINGS = ("政务公开工作要点落实情况 特色亮点工作 创新做法 其他需要说明的事项 年度工作任务完成情况 "
            "上级督查反馈问题整改情况").split()


def _object(rng: random.Random) -> str:
    return rng.choice(OBJ_A) + rng.choice(OBJ_B)


def _measure(rng: random.Random) -> str:
    s = f"{rng.choice(VERBS)}{_object(rng)}，{rng.choice(MEANS)}{rng.choice(TOOLS)}，{rng.choice(ACTS)}{rng.choice(ACT_OBJ)}"
    r = rng.random()
    if r < 0.35:
        s += f"，{rng.choice(GOAL_A)}{rng.choice(GOAL_B)}"
    elif r < 0.55:
        s += f"，{rng.choice(VERBS)}{_object(rng)}"
    elif r < 0.7:
        s += f"，全年{rng.choice(ACTS)}{rng.choice(ACT_OBJ)}{rng.randint(2, 30)}次"
    return s + "。"


def section_five(rng: random.Random, name: str, year: int) -> str:
    target = rng.randint(150, 600)
    out = [rng.choice(OPENINGS).format(y=year, n=name),
           "；".join(rng.choice(AREAS) + rng.choice(ASPECTS) + rng.choice(STATES)
                    for _ in range(rng.randint(2, 4))) + "。",
           rng.choice(NEXT).format(y=year + 1, n=name)]
    for ordinal in ORDINALS:
        if sum(map(len, out)) >= target:
            break
        out.append(ordinal + _measure(rng))
    return "".join(out)


def section_six(rng: random.Random, name: str, year: int) -> str:
    target = rng.randint(150, 600)
    figures = {"y": year, "n": name, "a": rng.randint(1, 60), "b": rng.randint(0, 90), "c": rng.randint(1, 30)}
    fee = (rng.choice(WHEN) + rng.choice(WHO) + rng.choice(FEE_VERBS) + rng.choice(FEES) + rng.choice(FEE_ENDS))
    proposals = (f"{rng.choice(WHEN)}{rng.choice(WHO)}共{rng.choice(UNDERTAKE)}{rng.choice(PROPOSALS)}{{a}}件、"
                 f"{rng.choice(MOTIONS)}{{b}}件，{rng.choice(OUTCOMES)}。")
    out = ["（一）" + fee.format(**figures), "（二）" + proposals.format(**figures)]
    for number, heading in zip("三四五六", rng.sample(HEADINGS, 4), strict=False):
        if sum(map(len, out)) >= target:
            break
        out.append(f"（{number}）{heading}。" + "".join(_measure(rng) for _ in range(rng.randint(1, 3))))
    return "".join(out)[:target + 40]


def _plant(rng: random.Random, source: str, name_from: str, name_to: str) -> str:
    """A near-copy of ``source`` by another unit: its name and the figures changed, then one kind of edit."""
    text = source.replace(name_from, name_to)
    text = "".join(str(rng.randint(0, 9)) if c.isdigit() else c for c in text)
    kind = rng.choice(("words", "swap", "scatter"))
    if kind == "words":  # a few words replaced by others of their kind
        for _ in range(rng.randint(1, 4)):
            bank = rng.choice((VERBS, GOAL_A, ACTS))
            present = [w for w in bank if w in text]
            if present:
                text = text.replace(rng.choice(present), rng.choice(bank), 1)
    elif kind == "swap":  # two sentences change places
        sentences = [s + "。" for s in text.split("。") if s]
        if len(sentences) > 3:
            i, j = rng.sample(range(1, len(sentences)), 2)
            sentences[i], sentences[j] = sentences[j], sentences[i]
        text = "".join(sentences)
    else:  # 2–6 % of the characters changed at random places
        chars = list(text)
        for _ in range(max(1, int(len(chars) * rng.uniform(0.02, 0.06)))):
            at = rng.randrange(len(chars))
            op = rng.random()
            if op < 0.5:
                chars[at] = rng.choice(source)
            elif op < 0.75:
                chars.insert(at, rng.choice(source))
            else:
                del chars[at]
        text = "".join(chars)
    return text


def build(n: int, seed: int) -> tuple[list[str], dict[str, list[str]], dict[str, set[tuple[int, int]]]]:
    """Unit names, the raw sections by section, and the planted pairs (source, copy) by section."""
    rng = random.Random(seed)
    names = [f"{rng.choice('东西南北中新安平')}{rng.choice('山河湖江海城阳')}县{rng.choice(('人民政府', '教育局', '卫生健康局', '民政局', '自然资源局'))}第{i}"
             for i in range(n)]
    sections = {"五": [section_five(rng, names[i], 2025) for i in range(n)],
                "六": [section_six(rng, names[i], 2025) for i in range(n)]}
    planted: dict[str, set[tuple[int, int]]] = {}
    for code, texts in sections.items():
        planted[code] = set()
        copies = rng.sample(range(n), 2 * max(1, int(n * PLANTED)))
        for source, copy in zip(copies[::2], copies[1::2], strict=True):  # sources and copies all distinct
            for _ in range(20):
                text = _plant(rng, texts[source], names[source], names[copy])
                a, b = comparable(texts[source], [names[source]]), comparable(text, [names[copy]])
                if fuzz.ratio(a, b) / 100 >= THRESHOLD:
                    texts[copy] = text
                    planted[code].add((min(source, copy), max(source, copy)))
                    break
    return names, sections, planted


def _one_section(names: list[str], raw: list[str]) -> tuple[dict[str, float], set[tuple[int, int]]]:
    """comparable() over a section's texts, the index (add_many), every text queried (not against itself)."""
    clock = [(time.perf_counter(), time.process_time())]
    texts = [comparable(text, [names[i]]) for i, text in enumerate(raw)]
    clock.append((time.perf_counter(), time.process_time()))
    index = NearDuplicates()
    index.add_many(enumerate(texts))
    clock.append((time.perf_counter(), time.process_time()))
    pairs = set()
    for i, text in enumerate(texts):
        for match in index.matches(text, exclude=lambda key, i=i: key == i):
            pairs.add((min(i, match.key), max(i, match.key)))
    clock.append((time.perf_counter(), time.process_time()))
    times = {}
    for phase, (start, end) in zip(PHASES, zip(clock, clock[1:], strict=False), strict=True):
        times[phase], times[phase + " cpu"] = end[0] - start[0], end[1] - start[1]
    return times, pairs


def run(names: list[str], sections: dict[str, list[str]], pool: ProcessPoolExecutor | None
        ) -> tuple[dict[str, float], dict[str, set[tuple[int, int]]]]:
    """Both sections, one after the other (pool None) or each in its own process; the phases' times summed over the
    sections, and the total as the wall-clock time of the whole."""
    t0 = time.perf_counter()
    if pool is None:
        results = [_one_section(names, raw) for raw in sections.values()]
    else:
        results = list(pool.map(_one_section, [names] * len(sections), sections.values()))
    times = {phase: sum(r[0][phase] for r in results) for phase in results[0][0]}
    times["total"] = time.perf_counter() - t0
    return times, {code: r[1] for code, r in zip(sections, results, strict=True)}


def bench(n: int, repeat: int, seed: int) -> None:
    t0 = time.perf_counter()
    names, sections, planted = build(n, seed)
    t_build = time.perf_counter() - t0
    print(f"reports: {n:,} (sections 五 and 六, {2 * n:,} texts); generated in {t_build:.1f} s (not timed below)")
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("fork")) as pool:
        pool.submit(sum, []).result()  # the workers are started before the clock runs
        for label, with_pool in (("one core, section after section", None), ("two cores, a process a section", pool)):
            runs, found = [], {}
            for _ in range(max(repeat, 1)):
                times, found = run(names, sections, with_pool)
                runs.append(times)
            median = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
            target = f"   (target: a few seconds, ≤ {TARGET_S:.0f} s)" if n >= 10_000 else ""
            print(f"  {label} — medians of {len(runs)}, wall clock (CPU), summed over both sections:")
            for phase, what in zip(PHASES, ("comparable()", "index (add_many)", "query every section"), strict=True):
                print(f"    {what:22} {median[phase]:6.2f} s ({median[phase + ' cpu']:.2f} s)")
            print(f"    total, wall clock      {median['total']:6.2f} s{target}")
    for code in sections:
        hit, extra = found[code] & planted[code], found[code] - planted[code]
        print(f"  section {code}: pairs found {len(found[code])}, planted {len(planted[code])}, planted found "
              f"{len(hit)}, planted missed {len(planted[code] - found[code])}, others ≥ {THRESHOLD} {len(extra)}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3, help="runs; the medians are reported")
    ap.add_argument("--seed", type=int, default=1)
    args, _ = ap.parse_known_args(argv)  # dev.py bench hands every benchmark the same extra arguments
    for n in sorted({1_000, args.reports}):
        bench(n, args.repeat, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
