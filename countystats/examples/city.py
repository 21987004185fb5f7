"""The example city 邢台市: three counties in one deployment (``config/city/``), for the README's main command.

清河县 is the example county (:mod:`.county`) unchanged — its files byte for byte, mistakes and all — and 威县 and
临西县 are two smaller counties whose townships and departments share names with 清河县's (every county has its 大营镇
and its 县发展和改革局): their files are clean, generated the same way under their own county's name. The city
government's own report (邢台市人民政府) is sent too, and shown apart in the city's figures.

Each county's files arrive in the inbox folder of its area code (``inbox/130534/…``), as the spec's identification
within the area says; the receipts are the inbox's (names relative to it).
"""

from __future__ import annotations

from pathlib import Path

from countystats.examples.county import SEED, ExampleReport, generate_county, generate_published
from countystats.settings import ROOT
from transforms.registry import Registry

CITY_REGISTRY = ROOT / "config" / "city" / "units.csv"
EXAMPLE_COUNTY = "130534"  # 清河县: the example county, its files as :mod:`.county` writes them


def city_registry() -> Registry:
    return Registry.load(CITY_REGISTRY)


def generate_city(years: tuple[int, ...] = (2023, 2024), seed: int = SEED,
                  registry: Registry | None = None) -> dict[str, list[ExampleReport]]:
    """area code → every file that area's inbox folder receives for ``years`` (the counties, and the city for its
    government's own report), deterministic for a given seed."""
    registry = registry or city_registry()
    out: dict[str, list[ExampleReport]] = {}
    for n, area in enumerate(a for a in registry.areas if a.area_type in ("county", "city")):
        units = [u for u in registry.units if u.area_code == area.area_code]
        if not units:
            continue
        # 清河县 with the county example's seed (its very files); the others with seeds of their own
        own_seed = seed if area.area_code == EXAMPLE_COUNTY else seed + 101 * (n + 1)
        out[area.area_code] = generate_county(years, own_seed, Registry(units, registry.areas), area.area_name)
    return out


def write_example_city_inbox(inbox: Path, years: tuple[int, ...] = (2023, 2024), seed: int = SEED) -> list[Path]:
    """Write the example city's files into ``inbox/<area_code>/`` (created if needed), with the portal's receipts."""
    from transforms.inbox.archive import sha256_of, write_receipts

    inbox = Path(inbox)
    inbox.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    receipts = []
    for code, reports in generate_city(years, seed).items():
        for report in reports:
            path = report.write(inbox / code)
            paths.append(path)
            receipts.append((sha256_of(path.read_bytes()), path.relative_to(inbox).as_posix(), report.received_local))
    write_receipts(inbox, receipts)
    return paths


def write_example_city_published(folder: Path, seed: int = SEED) -> list[Path]:
    """The example county's past reports from its portal (:func:`.county.write_example_published`) in its area's
    folder, for the backfill run."""
    folder = Path(folder) / EXAMPLE_COUNTY
    registry = city_registry()
    units = [u for u in registry.units if u.area_code == EXAMPLE_COUNTY]
    return [report.write(folder) for report in generate_published(seed=seed, registry=Registry(units, registry.areas))]
