"""N-COPY: sections 五 and 六 nearly the same as another report's (transforms/narrative/copies.py).

Realistic section-五 texts (in the words of the published 平潭 2024/2025 reports) copied with the name and the year
changed, with words changed or a clause moved, and texts on the same subject that are not copies; a recall test on
400 texts with 100 planted near-copies whose differences are scattered, checked against brute force.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from datasketch import MinHash
from rapidfuzz import fuzz, process

from transforms.narrative import copies
from transforms.narrative.copies import (
    MIN_CHARS,
    THRESHOLD,
    Match,
    NearDuplicates,
    comparable,
    copied_passages,
    signatures,
)

pytestmark = pytest.mark.unit

PINGTAN = ["平潭综合实验区", "实验区"]
DONGSHAN = ["东山县人民政府", "东山县"]

# 平潭综合实验区 2024, section 五 (the published text, its name written out)
FIVE_2024 = (
    "2024年，平潭综合实验区政府信息公开工作取得了新进展新成果，但在工作中仍存在不足，如新时代政府信息公开工作机制有待"
    "进一步调整和完善；政策解读形式仍需创新；智能化、数字化手段运用还不够充分等。2025年，将重点从以下方面做好改进：一是"
    "优化主动公开目录，开展主动公开事项目录编制，进一步明确政府信息公开的范围和内容，整合政府信息资源，提升政务公开工作"
    "规范化水平。二是增强政策解读效果，进一步丰富政策解读形式，开展通俗化、多方位解读工作，不断扩大政策知晓度，确保群众"
    "“看得懂、用得上”。三是加快数字化转型，强化数字化信息技术在政务公开领域的创新运用，推动政务公开智能化、数字化转型，"
    "提升政务公开的效率和质量。")
# the same unit's 2025 section 五: the same subject and vocabulary, not a copy
FIVE_2025 = (
    "2025年，我区政府信息公开工作取得了一定成绩，但仍存在一些不足，如：政务公开队伍建设有待进一步加强；依申请公开答复"
    "质量待进一步提升；平台互动功能仍有不足。下一步整改措施：一是强化政务公开队伍建设，多渠道加强业务指导和培训，不断"
    "提升政务公开队伍工作水平。二是提升依申请公开答复质量，加强答复风险研判和合法性审查，健全纠错整改机制，着力减少行政"
    "复议、行政诉讼案件数量。三是优化平台互动模块设计，进一步畅通民意征集、在线咨询等渠道，完善智能问答知识库，提升政企"
    "民互动实效。")
# another unit on the same subject, in the words every report uses (政策解读、信息公开、培训…): not a copy either
FIVE_OTHER = (
    "2024年，东山县人民政府政务公开工作虽然取得了一定成效，但与上级要求和群众期待相比仍有差距：一是政策解读的针对性和"
    "实效性不强，解读形式较为单一；二是部分单位信息公开不及时、不全面；三是政务公开工作人员业务能力有待提高。2025年，"
    "我们将进一步加强政策解读，采用图解、视频等多种形式开展解读；严格落实信息发布审核制度，及时公开各类政府信息；定期"
    "组织政务公开业务培训，切实提升工作人员的业务水平，推动全县政务公开工作再上新台阶。")


def _index(items: dict) -> NearDuplicates:
    index = NearDuplicates()
    index.add_many(items.items())
    return index


# --- comparable ---------------------------------------------------------------------------------------------------


def test_comparable_removes_names_years_figures_punctuation():
    text = "2024 年度，淮安市洪泽区人民政府 全年办理申请２１８件、二十一件，发布解读96篇（同比增长12.5%）。二〇二四年，洪泽区……"
    assert comparable(text, ["洪泽区", "淮安市洪泽区人民政府"]) == "全年办理申请件件发布解读篇同比增长"


def test_comparable_keeps_the_numeral_characters_of_words():
    # 一是/二是 (the text's structure), 进一步, 统一, 一些, 三审三校, 十分, 千方百计: words, not figures
    text = "一是进一步统一规范，二是落实三审三校，十分重视一些问题，千方百计做好工作。开展培训三次，共二十一场。"
    assert comparable(text) == "一是进一步统一规范二是落实三审三校十分重视一些问题千方百计做好工作开展培训次共场"


def test_comparable_arabic_and_chinese_numbers_compare_alike():
    assert comparable("办理申请3件，开展培训12次") == comparable("办理申请三件，开展培训十二次") == "办理申请件开展培训次"


def test_comparable_names_with_spaces_and_punctuation_are_found():
    assert comparable("上海市科委 2024 年度报告", ["上海市 科委"]) == "报告"
    assert comparable("某县（区）人民政府的报告", ["某县(区)人民政府"]) == "的报告"


# --- the index ----------------------------------------------------------------------------------------------------


def test_copy_with_only_name_and_years_changed_is_the_same():
    copy = FIVE_2024.replace("平潭综合实验区", "东山县人民政府").replace("2024", "2025").replace("2025年，将", "2026年，将")
    index = _index({"pingtan-2024": comparable(FIVE_2024, PINGTAN), "pingtan-2025": comparable(FIVE_2025, PINGTAN),
                    "other": comparable(FIVE_OTHER, DONGSHAN)})
    assert index.matches(comparable(copy, DONGSHAN)) == [Match("pingtan-2024", 1.0)]


def test_copy_with_figures_and_years_changed_only_is_the_same():
    a = FIVE_2024 + "全年开展业务培训3次，发布政策解读96篇，办理申请218件。"
    b = FIVE_2024.replace("2024年", "二〇二四年").replace("2025年", "2025 年度") + "全年开展业务培训五次，发布政策解读１２０篇，办理申请二十一件。"
    index = _index({"a": comparable(a, PINGTAN)})
    assert index.matches(comparable(b, PINGTAN)) == [Match("a", 1.0)]


def test_copy_with_a_clause_moved_and_words_changed_is_found():
    copy = (FIVE_2024.replace("政策解读形式仍需创新；智能化、数字化手段运用还不够充分",
                              "智能化、数字化手段运用还不够充分；政策解读形式仍需创新")
            .replace("一是优化", "一是完善").replace("二是增强", "二是提升").replace("三是加快", "三是推进")
            .replace("平潭综合实验区", "东山县"))
    a, b = comparable(FIVE_2024, PINGTAN), comparable(copy, DONGSHAN)
    similarity = fuzz.ratio(a, b) / 100
    assert 0.9 <= similarity < 1.0
    index = _index({"pingtan-2024": a, "other": comparable(FIVE_OTHER, DONGSHAN)})
    assert index.matches(b) == [Match("pingtan-2024", similarity)]


def test_different_texts_on_the_same_subject_are_not_copies():
    texts = {"2024": comparable(FIVE_2024, PINGTAN), "2025": comparable(FIVE_2025, PINGTAN),
             "other": comparable(FIVE_OTHER, DONGSHAN)}
    for a in texts.values():
        for b in texts.values():
            if a != b:
                assert fuzz.ratio(a, b) / 100 < 0.6  # they share words, not passages
    index = _index(texts)
    for key, text in texts.items():
        assert index.matches(text) == [Match(key, 1.0)]  # itself only
        assert index.matches(text, exclude=lambda k, key=key: k == key) == []


def test_short_boilerplate_never_counts():
    stock = ["无", "本年度无其他需要报告的事项。", "2024年，无收取信息处理费情况。", "本年度本机关未收取信息处理费，无其他需要报告的事项。"]
    index = NearDuplicates()
    index.add_many((f"unit{i}-{j}", comparable(text)) for i in range(300) for j, text in enumerate(stock))
    assert len(index) == 0
    assert all(len(comparable(text)) < MIN_CHARS for text in stock)
    for text in stock:
        assert index.matches(comparable(text)) == []
    index.add("long", comparable(FIVE_2024, PINGTAN))
    for text in stock:
        assert index.matches(comparable(text)) == []


def test_min_chars_is_the_boundary():
    text = comparable(FIVE_2025)
    index = NearDuplicates()
    index.add_many([("short", text[:MIN_CHARS - 1]), ("enough", text[:MIN_CHARS])])
    assert "short" not in index and "enough" in index
    assert index.matches(text[:MIN_CHARS]) == [Match("enough", 1.0)]
    assert index.matches(text[:MIN_CHARS - 1]) == []


def test_exclude_leaves_out_keys():
    text = comparable(FIVE_2024, PINGTAN)
    index = _index({("pingtan", 2024): text, ("dongshan", 2024): text, ("pingtan", 2023): text})
    assert [m.key for m in index.matches(text)] == [("pingtan", 2024), ("dongshan", 2024), ("pingtan", 2023)]
    same_unit = lambda key: key[0] == "pingtan"  # noqa: E731
    assert index.matches(text, exclude=same_unit) == [Match(("dongshan", 2024), 1.0)]
    assert index.matches(text, exclude=lambda key: True) == []


def test_best_first_and_replacing_a_key():
    a = comparable(FIVE_2024, PINGTAN)
    b = a[:-10] + "提高政务公开的实效和水平"  # a little less similar
    index = _index({"b": b, "a": a})
    found = index.matches(a)
    assert [m.key for m in found] == ["a", "b"] and found[0].similarity == 1.0 > found[1].similarity >= THRESHOLD
    index.add("a", comparable(FIVE_2025, PINGTAN))  # the key's text replaced: the old one is gone
    assert [m.key for m in index.matches(a)] == ["b"]
    index.add("b", "无")  # replaced by a text too short to index: the key is gone
    assert index.matches(a) == [] and "b" not in index and len(index) == 1
    index.add_many([("c", a), ("c", b)])  # the same key twice in one call: the last text stands
    assert [m.key for m in index.matches(b)] == ["c"] and index.matches(b)[0].similarity == 1.0


def test_a_ratio_of_exactly_the_threshold_is_a_copy():
    a = "".join(chr(0x4E00 + i) for i in range(50))
    b = a[:45] + "".join(chr(0x6000 + i) for i in range(5))  # LCS 45 of 50 + 50: ratio exactly 0.90
    assert fuzz.ratio(a, b) == 90.0
    index = _index({"a": a})
    assert index.matches(b) == [Match("a", 0.9)]
    assert NearDuplicates(threshold=0.91).matches(b) == []


def test_signatures_are_datasketch_minhashes():
    texts = [comparable(FIVE_2024, PINGTAN), comparable(FIVE_2025), comparable(FIVE_OTHER)]
    rows = signatures(texts)
    for text, row in zip(texts, rows, strict=True):
        minhash = MinHash(num_perm=copies.NUM_PERM, seed=copies.SEED, hashfunc=int)
        minhash.update_batch(copies.shingle_hashes(text).tolist())
        assert np.array_equal(minhash.hashvalues, row)
        assert np.array_equal(signatures([text])[0], row)  # one at a time or many together: the same
    # no salted hash(): the same values in every process
    assert copies.shingle_hashes("政府信息公开工作")[:3].tolist() == [2306360507, 2132418395, 945084925]


def test_the_index_uses_the_fast_band_keys():
    lsh = NearDuplicates()._lsh
    assert lsh._H.__func__ is copies._LSH._byteswap


# --- copied_passages ----------------------------------------------------------------------------------------------


def test_copied_passages_marks_the_same_passages_of_the_originals():
    a = ("2024年，平潭综合实验区政府信息公开工作取得了新进展新成果，但在工作中仍在不足，如政策解读形式仍需创新。"
         "2025年，将重点做好改进：一是优化主动公开目录。")
    b = ("2024年，东山县政府信息公开工作取得了新进展新成果，但工作中仍有不足，如政策解读形式仍需创新。"
         "2025年，将重点做好改进：一是优化主动公开目录。")
    in_a, in_b = copied_passages(a, b, PINGTAN, DONGSHAN)
    assert [a[s:e] for s, e in in_a] == [
        "政府信息公开工作取得了新进展新成果，但", "不足，如政策解读形式仍需创新。2025年，将重点做好改进：一是优化主动公开目录"]
    assert [b[s:e] for s, e in in_b] == [
        "政府信息公开工作取得了新进展新成果，但", "不足，如政策解读形式仍需创新。2025年，将重点做好改进：一是优化主动公开目录"]


def test_copied_passages_finds_moved_sentences_too():
    a = "一是加强业务培训，提升工作人员能力。二是完善依申请公开办理流程，规范答复文书。三是强化政策解读，丰富解读形式。"
    b = "一是完善依申请公开办理流程，规范答复文书。二是强化政策解读，丰富解读形式。三是加强业务培训，提升工作人员能力。"
    in_a, in_b = copied_passages(a, b)
    assert [a[s:e] for s, e in in_a] == ["是加强业务培训，提升工作人员能力", "完善依申请公开办理流程，规范答复文书",
                                         "是强化政策解读，丰富解读形式"]
    assert [b[s:e] for s, e in in_b] == ["是加强业务培训，提升工作人员能力", "完善依申请公开办理流程，规范答复文书",
                                         "是强化政策解读，丰富解读形式"]  # the i-th of each is the same passage


def test_copied_passages_maps_through_nfkc_and_short_ones_are_left_out():
    a = "㈠加强政策解读工作，２０２４年发布解读九十六篇。另有其他。"
    b = "(一)加强政策解读工作，2025年发布解读一百篇。完全不同的内容在这里。"
    in_a, in_b = copied_passages(a, b)
    assert [a[s:e] for s, e in in_a] == ["㈠加强政策解读工作，２０２４年发布解读九十六篇"]
    assert [b[s:e] for s, e in in_b] == ["一)加强政策解读工作，2025年发布解读一百篇"]  # "(" is at the edge
    assert copied_passages(a, b, min_chars=30) == ([], [])


# --- recall: scattered differences, against brute force ------------------------------------------------------------

PROBLEMS = ("工作机制有待进一步健全 表现形式仍较为单一 内容深度还不够 答复规范性有待提升 更新不够及时 人员业务能力有待提高 "
            "标准化水平不高 覆盖范围仍需扩大 互动功能仍有不足 针对性和实效性不强 智能化程度不高 统筹协调不够有力 "
            "审核把关仍不够严格 宣传引导不够充分 栏目设置不够合理 信息质量参差不齐 考核监督机制不完善").split()
AREAS = ("政务公开 政府信息公开 依申请公开 主动公开 政策解读 政府网站 政务新媒体 基层政务公开 信息发布审核 主动公开目录 "
         "规范性文件管理 回应社会关切 政民互动 重点领域信息公开 公共数据开放 财政预决算公开 涉企政策发布").split()
VERBS = "强化 健全 优化 完善 深化 加大 提升 规范 推进 拓展 加强 创新 夯实 压实 落实 改进 细化".split()
OBJECTS = ("政策解读工作 依申请公开办理 主动公开目录编制 政府网站内容保障 政务新媒体管理 业务培训 信息发布审核 "
           "公开专栏建设 考核评估 基层标准化建设 公众参与机制 政策文件集中公开 保密审查 答复文书质量 数据开放共享 "
           "监督检查 工作队伍建设 咨询答复 平台功能 政策问答库 栏目内容梳理 法律顾问审核 会商研判机制").split()
MEANS = ("通过图解、视频、问答等形式 定期组织专题培训和业务交流 建立健全常态化监测机制 采取第三方评估方式 "
         "依托门户网站和政务新媒体 结合年度重点工作任务 围绕群众关注的热点问题 加强与业务科室的沟通协作 "
         "运用大数据和人工智能技术 完善信息发布前审核流程 开展案例研讨和以案促学 实行清单化管理和动态更新 "
         "加强对镇街和部门的指导 畅通线上线下咨询渠道 落实分级审核和三审三校制度 开展全面自查和交叉检查").split()
GOALS = ("不断提升政务公开质量和实效 切实保障群众的知情权、参与权和监督权 推动政务公开工作提质增效 增强政策的知晓度 "
         "确保信息发布准确及时安全 提高答复的规范化水平 让群众看得懂、用得上 以公开促落实促规范促服务 "
         "更好地服务经济社会发展 不断增强政府公信力 打造阳光透明的服务型政府 助力优化营商环境").split()


def _section(rng: random.Random, unit: str) -> str:
    out = [f"2024年，{unit}政务公开工作仍存在一些不足：",
           "；".join(rng.choice(AREAS) + rng.choice(PROBLEMS) for _ in range(rng.randint(2, 4))) + "。下一步将：",
           ]
    for ordinal in "一二三四五六"[:rng.randint(2, 6)]:
        out.append(f"{ordinal}是{rng.choice(VERBS)}{rng.choice(OBJECTS)}，{rng.choice(MEANS)}，"
                   f"{rng.choice(VERBS)}{rng.choice(OBJECTS)}，{rng.choice(GOALS)}。")
    return "".join(out)


def _scatter(rng: random.Random, text: str, low: float, high: float, kinds: str) -> str:
    """``text`` with low–high of its characters changed at random places (substituted, inserted or deleted)."""
    chars = list(text)
    for _ in range(max(1, round(len(text) * rng.uniform(low, high)))):
        at, kind = rng.randrange(len(chars)), rng.choice(kinds)
        if kind == "s":
            chars[at] = rng.choice(text)
        elif kind == "i":
            chars.insert(at, rng.choice(text))
        else:
            del chars[at]
    return "".join(chars)


def _planted(seed: int, low: float, high: float, kinds: str) -> tuple[list[str], set[tuple[int, int]]]:
    """300 random sections and 100 near-copies of 100 of them (≥ 0.9, the edits scattered): texts, planted pairs."""
    rng = random.Random(seed)
    texts = [comparable(_section(rng, f"某县{i}局"), [f"某县{i}局"]) for i in range(300)]
    pairs = set()
    for source in rng.sample(range(300), 100):
        while True:
            copy = _scatter(rng, texts[source], low, high, kinds)
            if fuzz.ratio(texts[source], copy) / 100 >= THRESHOLD:
                break
        pairs.add((source, len(texts)))
        texts.append(copy)
    return texts, pairs


def _found(texts: list[str]) -> dict[tuple[int, int], float]:
    index = NearDuplicates()
    index.add_many(enumerate(texts))
    found = {}
    for i, text in enumerate(texts):
        for match in index.matches(text, exclude=lambda key, i=i: key == i):
            pair = (min(i, match.key), max(i, match.key))
            assert found.setdefault(pair, match.similarity) == match.similarity  # the same both ways
    return found


def test_recall_of_near_copies_with_scattered_edits_is_complete():
    texts, planted = _planted(seed=7, low=0.03, high=0.08, kinds="ssid")
    found = _found(texts)
    assert planted <= set(found)
    # against brute force on this small set: every pair ≥ 0.9 is found, and every pair found is ≥ 0.9, at its ratio
    scores = process.cdist(texts, texts, scorer=fuzz.ratio, dtype=np.float64) / 100
    brute = {(i, j): scores[i, j] for i in range(len(texts)) for j in range(i + 1, len(texts))
             if scores[i, j] >= THRESHOLD}
    assert set(found) == set(brute)
    assert all(found[pair] == pytest.approx(brute[pair], abs=1e-12) for pair in found)
    # the texts are of the kind the rule meets: unrelated ones share the vocabulary but are far from 0.9
    unrelated = scores[:300, :300][np.triu_indices(300, 1)]
    assert unrelated.max() < 0.7


def test_recall_down_to_the_threshold_with_every_tenth_character_replaced():
    # substitutions right down to a ratio of 0.90 (the copies' shingle Jaccard is ~0.54): all still found
    texts, planted = _planted(seed=11, low=0.085, high=0.1, kinds="s")
    ratios = [fuzz.ratio(texts[a], texts[b]) / 100 for a, b in planted]
    assert min(ratios) >= THRESHOLD and np.mean(ratios) < 0.925
    found = _found(texts)
    assert planted <= set(found)
    assert all(similarity >= THRESHOLD for similarity in found.values())
