"""The gradebook service's own tests: each route, its errors, threads, and a policy reload."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import threading
from pathlib import Path
from typing import Any
from wsgiref.util import setup_testing_defaults

import pytest
from gradebook import Gradebook

from masterykit import Learner, evaluate

TUTORIAL = Path(__file__).resolve().parents[2] / "docs" / "tutorial"
AS_OF = dt.date(2026, 6, 1)


@pytest.fixture
def service(tmp_path: Path) -> Gradebook:
    policy = tmp_path / "district.mastery"
    shutil.copy(TUTORIAL / "district.mastery", policy)
    learners = [Learner("ana"), Learner("ben", {"iep": True})]
    return Gradebook(policy, learners, as_of=AS_OF)


def call(service: Gradebook, method: str, path: str, body: Any = None) -> tuple[str, Any]:
    environ: dict[str, Any] = {"REQUEST_METHOD": method, "PATH_INFO": path}
    if "?" in path:
        environ["PATH_INFO"], environ["QUERY_STRING"] = path.split("?", 1)
    data = b"" if body is None else json.dumps(body).encode()
    environ["wsgi.input"] = io.BytesIO(data)
    environ["CONTENT_LENGTH"] = str(len(data))
    setup_testing_defaults(environ)
    answer: list[str] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        answer.append(status)
        assert ("Content-Type", "application/json") in headers
        return None

    chunks = service.app(environ, start_response)
    return answer[0], json.loads(b"".join(chunks))


def score(competency: str, value: int, day: str, kind: str, source_id: str) -> dict[str, Any]:
    return {"competency": competency, "score": value, "on": day, "kind": kind, "id": source_id}


def test_a_posted_score_shows_at_once(service: Gradebook) -> None:
    status, body = call(service, "GET", "/learners/ana")
    assert status == "200 OK"
    assert body["competencies"]["ELA.1"] == ["not_started", None, None]
    status, body = call(
        service, "POST", "/learners/ana/scores", score("ELA.1", 3, "2026-01-10", "quiz", "s1")
    )
    assert status == "201 Created"
    assert body["competencies"] == ["ELA.1"]
    assert body["learner"]["competencies"]["ELA.1"] == ["insufficient", "3", "Proficient"]
    status, body = call(
        service,
        "POST",
        "/learners/ana/scores",
        score("ELA.1", 4, "2026-02-10", "performance_task", "s2"),
    )
    assert body["learner"]["competencies"]["ELA.1"] == ["proficient", "3.65", "Proficient"]


def test_the_view_matches_a_full_evaluation(service: Gradebook) -> None:
    posted = [
        score("MATH.1", 3, "2026-01-10", "quiz", "a"),
        score("MATH.1", 4, "2026-03-01", "project", "b"),
    ]
    for body in posted:
        call(service, "POST", "/learners/ana/scores", body)
    from gradebook import _evidence

    full = evaluate(
        service.policy, Learner("ana"), [_evidence("ana", b) for b in posted], as_of=AS_OF
    )
    _, body = call(service, "GET", "/learners/ana")
    import masterykit

    assert body == json.loads(json.dumps(masterykit.compact(full.learners[0])))


def test_a_deleted_score_no_longer_counts(service: Gradebook) -> None:
    call(service, "POST", "/learners/ana/scores", score("ELA.1", 3, "2026-01-10", "quiz", "s1"))
    call(
        service,
        "POST",
        "/learners/ana/scores",
        score("ELA.1", 4, "2026-02-10", "performance_task", "s2"),
    )
    status, body = call(service, "DELETE", "/learners/ana/scores/s2")
    assert status == "200 OK"
    assert body["competencies"] == ["ELA.1"]
    assert body["learner"]["competencies"]["ELA.1"] == ["insufficient", "3", "Proficient"]
    status, body = call(service, "DELETE", "/learners/ana/scores/s2")
    assert (status, body) == ("404 Not Found", {"error": "learner ana has no score 's2'"})


def test_explain_and_audiences(service: Gradebook) -> None:
    call(service, "POST", "/learners/ana/scores", score("ELA.1", 3, "2026-01-10", "quiz", "s1"))
    status, body = call(service, "GET", "/learners/ana/explain")
    assert status == "200 OK"
    assert "ELA.1" in body["explanation"]
    status, body = call(service, "GET", "/learners/ana?audience=family")
    assert status == "200 OK"
    assert body["learner"] == "ana"
    status, body = call(service, "GET", "/learners/ana?audience=robots")
    assert (status, body) == ("400 Bad Request", {"error": "unknown audience 'robots'"})


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "answer"),
    [
        ("GET", "/learners/zoe", None, "404 Not Found", {"error": "no learner 'zoe'"}),
        ("GET", "/elsewhere", None, "404 Not Found", {"error": "nothing at /elsewhere"}),
        (
            "PUT",
            "/learners/ana",
            None,
            "405 Method Not Allowed",
            {"error": "PUT is not allowed here; use GET"},
        ),
        (
            "POST",
            "/learners/ana/scores",
            [1],
            "400 Bad Request",
            {"error": "the body must be a JSON object"},
        ),
        (
            "POST",
            "/learners/ana/scores",
            {"score": 3},
            "400 Bad Request",
            {"error": "missing competency, on"},
        ),
        (
            "POST",
            "/learners/ana/scores",
            {"competency": "ELA.1", "score": "three", "on": "2026-01-10"},
            "400 Bad Request",
            {"error": "score must be a number and on a date (YYYY-MM-DD)"},
        ),
        (
            "POST",
            "/learners/ana/scores",
            {"competency": "ELA.9", "score": 3, "on": "2026-01-10"},
            "422 Unprocessable Content",
            {
                "error": "evidence for unknown competency `ELA.9` (did you mean `ELA.2`?)",
                "code": "MK351",
            },
        ),
    ],
)
def test_bad_requests_get_a_clear_answer(
    service: Gradebook, method: str, path: str, body: Any, status: str, answer: Any
) -> None:
    assert call(service, method, path, body) == (status, answer)


def test_a_reload_swaps_a_clean_policy_and_keeps_the_old_one_otherwise(service: Gradebook) -> None:
    call(service, "POST", "/learners/ana/scores", score("ELA.1", 3, "2026-01-10", "quiz", "s1"))
    call(
        service,
        "POST",
        "/learners/ana/scores",
        score("ELA.1", 4, "2026-02-10", "performance_task", "s2"),
    )
    old = service.policy.fingerprint
    text = service.policy_path.read_text(encoding="utf-8")
    service.policy_path.write_text(text + "\npolicy", encoding="utf-8")  # a syntax error
    status, body = call(service, "POST", "/policy/reload")
    assert status == "422 Unprocessable Content"
    assert body["error"] == "the policy has errors; the service keeps the old one"
    assert service.policy.fingerprint == old
    service.policy_path.write_text(
        text.replace("decaying_average(65%)", "highest"), encoding="utf-8"
    )
    status, body = call(service, "POST", "/policy/reload")
    assert status == "200 OK"
    assert body["fingerprint"] != old
    _, view = call(service, "GET", "/learners/ana")
    assert view["competencies"]["ELA.1"] == ["proficient", "4", "Advanced"]  # highest, not decaying


def test_teachers_posting_at_once_lose_no_score(service: Gradebook) -> None:
    def post(teacher: int) -> None:
        for n in range(10):
            day = f"2026-01-{n + 1:02d}"
            call(
                service,
                "POST",
                "/learners/ben/scores",
                score("MATH.2", 3, day, "quiz", f"t{teacher}-{n}"),
            )

    threads = [threading.Thread(target=post, args=(teacher,)) for teacher in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ids = sorted(piece.source_id or "" for piece in service.scores("ben"))
    assert ids == sorted(f"t{teacher}-{n}" for teacher in range(4) for n in range(10))
