"""The fuzz targets themselves work: each runs its seeds without a finding, quickly, and a
broken reader is a finding (so a fuzzing run that finds nothing means something)."""

from __future__ import annotations

import importlib.util
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from masterykit.evidence import Origin, Rejection

HERE = Path(__file__).parent


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"_{name}", HERE / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    module._imports()
    return module


@pytest.fixture(scope="module")
def readers() -> ModuleType:
    return _load("fuzz_readers")


@pytest.fixture(scope="module")
def parser() -> ModuleType:
    return _load("fuzz_parser")


def test_the_readers_target_runs_every_seed_without_a_finding(readers: ModuleType) -> None:
    seeds = list(readers.seeds())
    assert {seed[0] for seed in seeds} == set(range(len(readers.TARGETS)))  # every reader
    start = time.perf_counter()
    for seed in seeds:
        readers.test_one_input(seed)
    assert time.perf_counter() - start < 30


@pytest.mark.parametrize("target", range(7))
def test_every_reader_takes_any_option_set_and_empty_or_odd_input(
    readers: ModuleType, target: int
) -> None:
    for choice in range(len(readers.OPTIONS)):
        for body in (b"", b"\x00\xff", b"a,b\n\n", b"[", b'{"id": 1}\n', readers.SEPARATOR):
            readers.test_one_input(bytes([target, choice]) + body)


def _fake_reader(*results: object) -> Any:
    def read(*args: object, **kwargs: object) -> Iterator[object]:
        yield from results

    return read


@pytest.mark.parametrize(
    ("results", "finding"),
    [
        ((Rejection("MK999", "x", Origin()),), "not in the readers' catalogue"),
        ((Rejection("MK309", "9" * 10_000, Origin()),), "message of 10,000 characters"),
        ((Rejection("MK309", "\ud800", Origin()),), "surrogates not allowed"),
        (("not a record",), "a reader gave str"),
    ],
)
def test_a_broken_reader_is_a_finding(
    readers: ModuleType, monkeypatch: pytest.MonkeyPatch, results: tuple[object], finding: str
) -> None:
    monkeypatch.setattr(readers, "read_evidence", _fake_reader(*results))
    with pytest.raises((AssertionError, UnicodeEncodeError), match=finding):
        readers.test_one_input(b"\x01\x00{}")


def test_a_crash_inside_a_reader_is_a_finding(
    readers: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(*args: object, **kwargs: object) -> Iterator[object]:
        raise RecursionError("maximum recursion depth exceeded")
        yield

    monkeypatch.setattr(readers, "read_evidence", crash)
    with pytest.raises(RecursionError):
        readers.test_one_input(b"\x00\x00learner\n")


def test_the_parser_target_runs_its_seeds_without_a_finding(parser: ModuleType) -> None:
    policies = sorted((parser.ROOT / "examples").rglob("*.mastery"))[:5]
    assert policies
    for path in policies:
        parser.test_one_input(path.read_bytes())
    parser.test_one_input(b"policy {{{{")
