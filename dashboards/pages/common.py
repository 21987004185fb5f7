"""Helpers shared by the per-unit pages: per-unit rows ordered by size, and series names from the format."""

from __future__ import annotations

import pandas as pd


def per_unit(df: pd.DataFrame, series_of: pd.Series) -> pd.DataFrame:
    """Rows (series, category=unit name, value) summed per unit, units ordered by their total, largest first.

    Unit names are not unique keys in principle: the category is the name, and two units sharing a name would
    merge, so the code is appended when a name is ambiguous.
    """
    if df.empty:
        return pd.DataFrame(columns=["series", "category", "value"])
    names = df.groupby("unit_code")["unit_name"].first()
    dup = names[names.duplicated(keep=False)].index
    label = names.where(~names.index.isin(dup), names + "（" + names.index.astype(str) + "）")
    out = (
        df.assign(series=series_of, category=df["unit_code"].map(label))
        .groupby(["series", "category"], sort=False, as_index=False)["value"]
        .sum()
    )
    order = out.groupby("category")["value"].sum().sort_values(ascending=False, kind="stable")
    rank = {c: i for i, c in enumerate(order.index)}
    return out.assign(_r=out["category"].map(rank)).sort_values("_r", kind="stable").drop(columns="_r")
