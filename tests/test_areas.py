"""Many counties in one deployment: the area registry, and every report landing on the unit of its own county.

The same township and department names recur from county to county (every county has its 大营镇 and its
县发展和改革局): a file is matched within the area it came from (``inbox/<area_code>/…``), or the county it names;
where neither decides, R-UNIT names every county that has such a unit.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from countystats.examples.city import EXAMPLE_COUNTY, city_registry, generate_city, write_example_city_inbox
from countystats.examples.county import generate_county
from countystats.examples.reports import consistent_values
from countystats.examples.workbooks import write_example
from countystats.pipeline import arrived_in
from transforms.format import FILER, current
from transforms.inbox.intake import area_folder
from transforms.reading import read_submission
from transforms.registry import DEFAULT_REGISTRY, Registry, RegistryError, parse_areas, parse_units
from transforms.writing.layouts import Options

pytestmark = pytest.mark.unit

AREAS = """area_code,area_name,area_type,parent_code
13,河北省,province,
1305,邢台市,city,13
130534,清河县,county,1305
130533,威县,county,1305
"""
UNITS = """unit_code,unit_name,unit_type,aliases,active_from,active_to,area_code
qh_daying,大营镇,township,大营镇人民政府|清河县大营镇人民政府,,,130534
wx_daying,大营镇,township,大营镇人民政府|威县大营镇人民政府,,,130533
qh_drc,县发展和改革局,department,,,,130534
wx_drc,县发展和改革局,department,,,,130533
wx_mingzhou,洺州镇,township,,,,130533
city_gov,邢台市人民政府,city_government,,,,1305
"""


@pytest.fixture()
def registry(tmp_path) -> Registry:
    (tmp_path / "areas.csv").write_text(AREAS, encoding="utf-8")
    (tmp_path / "units.csv").write_text(UNITS, encoding="utf-8")
    return Registry.load(tmp_path / "units.csv")


# ---------------------------------------------------------------- the registry


def test_the_area_tree(registry):
    assert [a.area_code for a in registry.children(None)] == ["13"]
    assert [a.area_code for a in registry.children("1305")] == ["130534", "130533"]
    assert [a.area_code for a in registry.descendants("13")] == ["1305", "130534", "130533"]
    assert [a.area_code for a in registry.ancestors("130533")] == ["1305", "13"]
    assert registry.by_code["wx_daying"].area_code == "130533"
    assert registry.by_code["city_gov"].area_code == "1305"
    assert registry.many_areas


def test_a_one_county_registry_is_unchanged():
    registry = Registry.load(DEFAULT_REGISTRY)
    assert registry.areas == [] and not registry.many_areas
    assert {u.area_code for u in registry.units} == {""}
    assert registry.match("清河县大营镇人民政府").unit_code == "twp_daying"


@pytest.mark.parametrize(("areas", "expected"), [
    ("1305,邢台市,city,\n1305,邢台,city,\n", "区划代码“1305”与第 2 行重复"),
    ("1305,邢台市,city,\n130534,清河县,district,1305\n", "区划类型“district”不在"),
    ("130534,清河县,county,9999\n", "上级区划“9999”不在区划表中"),
    ("1305,邢台市,city,130534\n130534,清河县,county,1305\n", "上级区划“130534”是县（市、区），不能管辖设区的市“邢台市”"),
    ("1305,邢台市,city,\n130534,清河县,county,1305\n130535,清河县,county,1305\n", "名称“清河县”与第 3 行同属一个上级"),
    ("1305,,city,\n", "area_name 为空"),
])
def test_a_faulty_area_table_names_its_line(areas, expected):
    with pytest.raises(RegistryError) as exc:
        parse_areas("area_code,area_name,area_type,parent_code\n" + areas)
    assert expected in str(exc.value)


@pytest.mark.parametrize(("row", "expected"), [
    ("x,大营镇,township,,,,", "area_code 为空，但区划表中有 2 个县"),
    ("x,大营镇,township,,,,999", "区划代码“999”不在区划表"),
    ("x,大营镇,township,,,,1305", "乡镇“大营镇”应属于县（市、区），而区划“1305”是设区的市"),
    ("x,邢台市人民政府,city_government,,,,130534", "应属于设区的市"),
    ("x,大营镇人民政府,township,,,,130534", "名称“大营镇人民政府”与第 2 行的单位（qh_daying）重名"),
])
def test_a_faulty_unit_names_its_line(row, expected):
    areas = parse_areas(AREAS)
    with pytest.raises(RegistryError) as exc:
        parse_units(UNITS + row + "\n", areas=areas)
    assert expected in str(exc.value)


def test_names_are_unique_within_an_area_only():
    units = parse_units(UNITS, areas=parse_areas(AREAS))
    assert sorted(u.unit_code for u in units if u.unit_name == "大营镇") == ["qh_daying", "wx_daying"]
    with pytest.raises(RegistryError, match="填了区划代码“130534”，但名册旁没有区划表"):
        parse_units(UNITS)


def test_a_blank_area_is_the_one_county():
    areas = parse_areas("area_code,area_name,area_type,parent_code\n130534,清河县,county,\n")
    (unit,) = parse_units("unit_code,unit_name,unit_type\nqh_daying,大营镇,township\n", areas=areas)
    assert unit.area_code == "130534"


def test_matching_within_an_area(registry):
    assert {u.unit_code for u in registry.matches("大营镇")} == {"qh_daying", "wx_daying"}
    assert [u.unit_code for u in registry.matches("大营镇", "130533")] == ["wx_daying"]
    assert [u.unit_code for u in registry.matches("威县大营镇人民政府2024年报告")] == ["wx_daying"]
    assert [u.unit_code for u in registry.matches("县发展和改革局", "1305")] == ["qh_drc", "wx_drc"]
    assert [u.unit_code for u in registry.matches("洺州镇")] == ["wx_mingzhou"]
    assert registry.matches("大营镇", "130534")[0].unit_code == "qh_daying"
    assert [a.area_name for a in registry.counties_named("威县县发展和改革局")] == ["威县"]


# ---------------------------------------------------------------- reading: which county's unit


def _workbook(folder: Path, name: str, title: str, filer: str) -> Path:
    fmt = current()
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    write_example(path, fmt, consistent_values(fmt.version), title, 2024,
                  options=Options(title=f"{title}2024年政府信息公开工作年度报告", filer=f"{FILER.text}：{filer}"))
    return path


def _unit_findings(sub) -> list[str]:
    return [f.message for f in sub.findings if f.rule == "R-UNIT"]


def _read(path: Path, inbox: Path, registry: Registry):
    shown = path.relative_to(inbox).as_posix()
    return read_submission(path, registry, name=str(path), **arrived_in(area_folder(shown)))


def test_the_inbox_folder_decides(registry, tmp_path):
    inbox = tmp_path / "inbox"
    for area, unit in (("130533", "wx_daying"), ("130534", "qh_daying")):
        sub = _read(_workbook(inbox / area, "年度报告.xlsx", "大营镇", "大营镇人民政府"), inbox, registry)
        assert (sub.unit_code, sub.area_code) == (unit, area) and not _unit_findings(sub)


def test_the_county_the_file_names_decides(registry, tmp_path):
    sub = _read(_workbook(tmp_path, "年度报告.xlsx", "威县县发展和改革局", "县发展和改革局"), tmp_path, registry)
    assert sub.unit_code == "wx_drc" and not _unit_findings(sub)


def test_a_name_two_counties_share_is_an_error_naming_both(registry, tmp_path):
    sub = _read(_workbook(tmp_path, "年度报告.xlsx", "大营镇", "大营镇人民政府"), tmp_path, registry)
    assert sub.unit_code is None and sub.status == "rejected"
    (message,) = _unit_findings(sub)
    assert "清河县" in message and "威县" in message and "qh_daying" in message and "wx_daying" in message


def test_a_file_in_another_countys_folder_is_an_error(registry, tmp_path):
    inbox = tmp_path / "inbox"
    sub = _read(_workbook(inbox / "130533", "年度报告.xlsx", "清河县大营镇", "大营镇人民政府"), inbox, registry)
    assert sub.unit_code is None
    (message,) = _unit_findings(sub)
    assert "威县" in message and "清河县" in message and "130533" in message


def test_a_folder_that_is_no_area_is_only_a_folder(registry, tmp_path):
    inbox = tmp_path / "inbox"
    sub = _read(_workbook(inbox / "2024" / "收到的", "年度报告.xlsx", "洺州镇", "洺州镇"), inbox, registry)
    assert sub.unit_code == "wx_mingzhou" and not _unit_findings(sub)


# ---------------------------------------------------------------- the example city


def test_the_example_city_registry_keeps_the_example_county():
    city, county = city_registry(), Registry.load(DEFAULT_REGISTRY)
    theirs = [u for u in city.units if u.area_code == EXAMPLE_COUNTY]
    assert [(u.unit_code, u.unit_name, u.unit_type, u.aliases, u.active_from, u.active_to) for u in theirs] == [
        (u.unit_code, u.unit_name, u.unit_type, u.aliases, u.active_from, u.active_to) for u in county.units]
    assert {a.area_type for a in city.areas} == {"city", "county"} and len(city.children("130500")) == 3
    # the counties share names: the reason a file is matched within its county
    names = {}
    for u in city.units:
        names.setdefault(u.unit_name, set()).add(u.area_code)
    assert any(len(areas) == 3 for areas in names.values())


def test_the_example_county_is_the_same_files_inside_the_city(tmp_path):
    city = generate_city()
    ours = [(r.file_name, r.unit_code, r.year, r.mistake) for r in city[EXAMPLE_COUNTY]]
    assert ours == [(r.file_name, r.unit_code, r.year, r.mistake) for r in generate_county()]
    others = [r for code, reports in city.items() if code != EXAMPLE_COUNTY for r in reports]
    assert others and all(r.mistake is None for r in others)


def test_every_file_of_the_example_city_lands_on_its_unit(tmp_path):
    inbox = tmp_path / "inbox"
    paths = write_example_city_inbox(inbox)
    registry = city_registry()
    expected = {(code, r.file_name): r.unit_code for code, reports in generate_city().items() for r in reports}
    assert len(paths) == len(expected)
    receipts = (inbox / ".receipts.jsonl").read_text(encoding="utf-8")
    for path in paths:
        shown = path.relative_to(inbox).as_posix()
        assert f'"{shown}"' in receipts and hashlib.sha256(path.read_bytes()).hexdigest() in receipts
        if path.suffix not in (".xlsx", ".xls", ".xlsm"):
            continue  # the documents read the same way; workbooks keep this test quick
        sub = _read(path, inbox, registry)
        assert sub.unit_code == expected[(path.parent.name, path.name)], (shown, _unit_findings(sub))
        assert sub.area_code == registry.by_code[sub.unit_code].area_code


def test_a_template_names_its_county_so_the_filled_file_lands_there(tmp_path):
    from countystats.examples.city import CITY_REGISTRY
    from transforms.writing.layouts import write_template

    with pytest.raises(ValueError, match="在清河县、威县、临西县都有"):
        write_template("大营镇", 2024, tmp_path / "t.xlsx", units=CITY_REGISTRY)
    path = write_template("大营镇", 2024, tmp_path / "t.xlsx", units=CITY_REGISTRY, area="130533")
    sub = read_submission(path, city_registry(), name=str(path))  # a blank template: the unit is in its title
    assert sub.unit_code == "wx_daying" and not _unit_findings(sub)
    assert write_template("lx_daying", 2024, tmp_path / "c.xlsx", units=CITY_REGISTRY).exists()  # by unit code
