"""The project's one custom Great Expectations expectation: a two-sided row balance.

Why a custom one: table 三's 勾稽关系 is printed as an identity between two sums (第一项加第二项之和，等于第三项加第四项之
和). The built-in ``ExpectMulticolumnSumToEqual`` compares one sum with a constant; it fits a single total (the
negated total column sums the row to 0) but turns the two-sided identity into ``a + b − c − d = 0``, which reads
wrongly in Data Docs and loses which side is which. This keeps both sides as the notice prints them.

Importing this module imports Great Expectations (seconds): import it only where GX is needed. A saved suite that
uses this expectation reloads it only if this module was imported first — GX silently drops unknown expectation
types on load (see ``expectations.suites.load_suite``, which refuses to lose any).
"""

from __future__ import annotations

from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import MulticolumnMapExpectation
from great_expectations.expectations.metrics.map_metric_provider import (
    MulticolumnMapMetricProvider,
    multicolumn_condition_partial,
)


class MulticolumnSidesBalance(MulticolumnMapMetricProvider):
    """Row-wise: sum of the columns not in ``right_columns`` == sum of ``right_columns`` (blank = 0)."""

    condition_metric_name = "multicolumn_values.sides_balance"
    condition_domain_keys = ("batch_id", "table", "column_list", "row_condition", "condition_parser", "ignore_row_if")
    condition_value_keys = ("right_columns",)

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list, **kwargs):
        right = [c for c in column_list.columns if c in set(kwargs["right_columns"])]
        left = [c for c in column_list.columns if c not in set(right)]
        return column_list[left].fillna(0).sum(axis=1) == column_list[right].fillna(0).sum(axis=1)


class ExpectMulticolumnSidesToBalance(MulticolumnMapExpectation):
    """Expect, in every row, the sum of the left-hand columns to equal the sum of ``right_columns``.

    ``column_list`` names all columns of the identity; ``right_columns`` (a subset) is the right-hand side.
    """

    right_columns: list[str]

    map_metric = "multicolumn_values.sides_balance"
    success_keys = ("mostly", "right_columns")
    args_keys = ("column_list", "right_columns")


CUSTOM_TYPES = ("expect_multicolumn_sides_to_balance",)
