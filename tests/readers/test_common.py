"""The pieces every reader shares: the JSON splitter, the scale map, timestamps and numbers."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from masterykit.readers._common import ScaleMap, iter_json_document, parse_decimal, parse_timestamp

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-1000, 1000)
    | st.text(alphabet=st.sampled_from('ab,[]{}"\\\n é'), max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=10,
)


def split(text: str, limit: int = 10_000) -> list[Any]:
    pieces = iter_json_document(io.BytesIO(text.encode("utf-8")), limit)
    return [
        p.value if p.parsed else json.loads(p.text) if p.text is not None else ("error", p.error)
        for p in pieces
    ]


@settings(max_examples=80)
@given(values=st.lists(JSON_VALUES, max_size=6), indent=st.sampled_from([None, 0, 2]))
def test_json_array_splits_into_exactly_its_elements(values: list[Any], indent: int | None) -> None:
    assert split(json.dumps(values, indent=indent, ensure_ascii=False)) == values


@settings(max_examples=50)
@given(values=st.lists(st.dictionaries(st.text(max_size=4), JSON_VALUES, max_size=3), max_size=5))
def test_objects_one_after_another_split_like_json_lines(values: list[dict[str, Any]]) -> None:
    assert split("\n".join(json.dumps(v) for v in values)) == values


def test_json_element_lines_are_where_each_element_starts() -> None:
    pieces = list(iter_json_document(io.BytesIO(b'[\n {"a": 1},\n\n {"b":\n 2}\n]'), 100))
    assert [p.line for p in pieces] == [2, 4]


def test_json_element_over_the_limit_is_reported_as_too_large() -> None:
    pieces = list(iter_json_document(io.BytesIO(b'[{"a": "xxxxxxxxxx"}, 1]'), 10))
    assert [(p.value, p.error) for p in pieces] == [(None, "too_large"), (1, None)]


def _seen(piece: Any) -> Any:
    if piece.error is not None:
        return ("error", piece.error)
    return piece.value if piece.parsed else json.loads(piece.text, parse_float=Decimal)


class Trickle(io.RawIOBase):
    """A stream that gives a few bytes per read, to cut elements at every possible place."""

    def __init__(self, data: bytes, step: int) -> None:
        self.data, self.step, self.at = data, step, 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        piece = self.data[self.at : self.at + self.step]
        self.at += len(piece)
        return piece


@settings(max_examples=80)
@given(
    values=st.lists(JSON_VALUES, max_size=5),
    step=st.integers(1, 7),
    limit=st.sampled_from([4, 30, 10_000]),
)
def test_json_split_does_not_depend_on_how_the_bytes_arrive(
    values: list[Any], step: int, limit: int
) -> None:
    data = json.dumps(values, ensure_ascii=False).encode("utf-8")
    whole = list(iter_json_document(io.BytesIO(data), limit))
    trickled = list(iter_json_document(Trickle(data, step), limit))  # type: ignore[arg-type]
    assert [_seen(p) for p in trickled] == [_seen(p) for p in whole]
    assert len(whole) == len(values)


BOUNDS = st.decimals(min_value=-100, max_value=100, places=2, allow_nan=False)


@settings(max_examples=150)
@given(low=BOUNDS, high=BOUNDS, t_min=BOUNDS, t_max=BOUNDS, share=st.fractions(0, 1))
def test_rescaling_maps_the_raw_range_onto_the_scale_in_order(
    low: Decimal, high: Decimal, t_min: Decimal, t_max: Decimal, share: Any
) -> None:
    if not (low < high and t_min < t_max):
        return
    target = (t_min, t_max)
    assert ScaleMap.rescale(low, low, high, target) == t_min
    assert ScaleMap.rescale(high, low, high, target) == t_max
    raw = low + (high - low) * Decimal(share.numerator) / Decimal(share.denominator)
    assert t_min <= ScaleMap.rescale(raw, low, high, target) <= t_max


@given(day=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31)))
def test_every_real_date_reads_back(day: dt.date) -> None:
    assert parse_timestamp(day.isoformat()) == day


def test_timestamps_with_offsets_and_fractions_read() -> None:
    assert parse_timestamp("2023-08-23T20:37:45.526615+00:00") == dt.datetime(
        2023, 8, 23, 20, 37, 45, 526615, tzinfo=dt.UTC
    )
    assert parse_timestamp("2026-01-10T09:30Z") == dt.datetime(2026, 1, 10, 9, 30, tzinfo=dt.UTC)
    assert parse_timestamp("2026-01-10 09:30") == dt.datetime(2026, 1, 10, 9, 30)


def test_decimals_never_pass_through_binary_floats() -> None:
    assert parse_decimal(0.1) == Decimal("0.1")
    assert parse_decimal("1e2") == Decimal("1E+2")
    assert parse_decimal(True) is None
    assert parse_decimal("Infinity") is None
    assert parse_decimal(float("nan")) is None
