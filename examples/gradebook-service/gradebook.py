"""A gradebook service on masterykit: teachers post scores, a learner's page is current at once.

A small WSGI application using only the standard library and masterykit, to show how a
long-lived service embeds the engine. It keeps one :class:`masterykit.Session` per learner, so a
posted score re-evaluates only what it affects, and answers with the compact view
(:func:`masterykit.compact`) rather than the full explanation.

=========================================  ===================================================
``GET /learners/<id>``                     the learner's compact view (``?audience=family``)
``GET /learners/<id>/explain``             the whole explanation, as text
``POST /learners/<id>/scores``             add a score: ``{"competency", "score", "on",
                                           "kind", "id"}``; answers what changed
``DELETE /learners/<id>/scores/<id>``      a teacher deletes a score entered by mistake
``POST /policy/reload``                    check the policy file again and, if it is clean,
                                           swap it in; answers its fingerprint
=========================================  ===================================================

Threads: a WSGI server may call the application from many threads at once. Each learner's
session has its own lock (two teachers posting for the same learner take turns; different
learners never wait for each other). A policy reload checks the new file first, outside any lock,
then swaps it in one assignment: a request that already started keeps the policy it started
with, and every session moves to the new policy (``Session.move``) the next time it is used.

Run it with ``python gradebook.py POLICY LEARNERS.csv`` (``wsgiref``'s development server on
port 8000); in production, serve ``Gradebook(...).app`` with any WSGI server.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import threading
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from wsgiref.types import StartResponse, WSGIEnvironment

import masterykit
from masterykit import Evidence, Learner, Policy, Session
from masterykit.engine.session import Changes

__all__ = ["Gradebook", "HttpError"]

_LEARNER = re.compile(r"/learners/(?P<learner>[^/]+)(?P<rest>/.*)?")
_STATUS = {
    200: "200 OK",
    201: "201 Created",
    400: "400 Bad Request",
    404: "404 Not Found",
    405: "405 Method Not Allowed",
    422: "422 Unprocessable Content",
}


class HttpError(Exception):
    """An answer other than success: an HTTP status and a message for the client."""

    def __init__(self, status: int, message: str, **details: Any) -> None:
        super().__init__(message)
        self.status = status
        self.body = {"error": message, **details}


class _Learner:
    """One learner's session and the lock that serialises requests about them."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.lock = threading.Lock()


class Gradebook:
    """The service: a policy file, the learners it serves and their sessions.

    Args:
        policy_path: the policy (reloaded from the same path by ``POST /policy/reload``).
        learners: every learner the service knows.
        as_of: the evaluation date; today when ``None``.
    """

    def __init__(
        self,
        policy_path: str | Path,
        learners: Iterable[Learner],
        *,
        as_of: dt.date | None = None,
    ) -> None:
        self.policy_path = Path(policy_path)
        self.policy: Policy = masterykit.load(self.policy_path)
        self.as_of = as_of
        self._learners = {learner.id: learner for learner in learners}
        self._sessions: dict[str, _Learner] = {}
        self._sessions_lock = threading.Lock()

    # --- the WSGI entry point ------------------------------------------------------------------

    def app(self, environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        """The WSGI application."""
        try:
            status, body = self._route(environ)
        except HttpError as error:
            status, body = error.status, error.body
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        start_response(
            _STATUS[status],
            [("Content-Type", "application/json"), ("Content-Length", str(len(data)))],
        )
        return [data]

    def _route(self, environ: WSGIEnvironment) -> tuple[int, Any]:
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "")
        if path == "/policy/reload":
            _allow(method, "POST")
            return 200, self.reload()
        match = _LEARNER.fullmatch(path)
        if match is None:
            raise HttpError(404, f"nothing at {path}")
        learner, rest = match["learner"], match["rest"] or ""
        query = parse_qs(environ.get("QUERY_STRING", ""))
        if rest == "":
            _allow(method, "GET")
            audience = query.get("audience", ["author"])[0]
            if audience not in masterykit.engine.AUDIENCES:
                raise HttpError(400, f"unknown audience {audience!r}")
            return 200, self.view(learner, audience)
        if rest == "/explain":
            _allow(method, "GET")
            return 200, {"learner": learner, "explanation": self.explain(learner)}
        if rest == "/scores":
            _allow(method, "POST")
            return 201, self.post_score(learner, _json_body(environ))
        if rest.startswith("/scores/"):
            _allow(method, "DELETE")
            return 200, self.delete_score(learner, rest.removeprefix("/scores/"))
        raise HttpError(404, f"nothing at {path}")

    # --- what each route does -------------------------------------------------------------------

    def view(self, learner_id: str, audience: str = "author") -> masterykit.CompactLearner:
        """The learner's compact view."""
        entry = self._entry(learner_id)
        with entry.lock:
            return masterykit.compact(entry.session.result, audience=audience)  # type: ignore[arg-type]

    def explain(self, learner_id: str) -> str:
        """The learner's whole explanation as text."""
        entry = self._entry(learner_id)
        with entry.lock:
            return masterykit.render_text(entry.session.result)

    def scores(self, learner_id: str) -> tuple[Evidence, ...]:
        """Every score the learner's session accepted."""
        entry = self._entry(learner_id)
        with entry.lock:
            return entry.session.evidence

    def post_score(self, learner_id: str, body: Any) -> dict[str, Any]:
        """Add one score; answers what changed (422 when masterykit rejects it)."""
        piece = _evidence(learner_id, body)
        entry = self._entry(learner_id)
        with entry.lock:
            changes = entry.session.add(piece)
            if changes.rejections:
                rejection = changes.rejections[0]
                raise HttpError(422, rejection.reason, code=rejection.code)
            return _changes(changes, entry.session)

    def delete_score(self, learner_id: str, source_id: str) -> dict[str, Any]:
        """Remove the score with this id; answers what changed."""
        entry = self._entry(learner_id)
        with entry.lock:
            try:
                changes = entry.session.remove(source_id)
            except masterykit.EvidenceError:
                raise HttpError(404, f"learner {learner_id} has no score {source_id!r}") from None
            return _changes(changes, entry.session)

    def reload(self) -> dict[str, Any]:
        """Check the policy file again and swap it in when it is clean."""
        checked = masterykit.check_file(self.policy_path)
        if not checked.ok or checked.policy is None:
            problems = [f"{d.code}: {d.message}" for d in checked.diagnostics]
            raise HttpError(
                422, "the policy has errors; the service keeps the old one", problems=problems
            )
        self.policy = checked.policy  # one assignment: requests already running keep theirs
        return {"policy": self.policy.name, "fingerprint": self.policy.fingerprint}

    # --- sessions ---------------------------------------------------------------------------------

    def _session(self, learner: Learner, evidence: Iterable[Evidence] = ()) -> Session:
        return Session(self.policy, learner, evidence, as_of=self.as_of)

    def _entry(self, learner_id: str) -> _Learner:
        learner = self._learners.get(learner_id)
        if learner is None:
            raise HttpError(404, f"no learner {learner_id!r}")
        with self._sessions_lock:
            entry = self._sessions.get(learner_id)
            if entry is None:
                entry = self._sessions[learner_id] = _Learner(self._session(learner))
        with entry.lock:
            if entry.session.policy is not self.policy:  # the policy was reloaded
                entry.session.move(policy=self.policy)
        return entry


def _allow(method: str, allowed: str) -> None:
    if method != allowed:
        raise HttpError(405, f"{method} is not allowed here; use {allowed}")


def _json_body(environ: WSGIEnvironment) -> Any:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        return json.loads(environ["wsgi.input"].read(length) or b"null")
    except (ValueError, UnicodeDecodeError) as error:
        raise HttpError(400, f"the body is not JSON: {error}") from None


def _evidence(learner_id: str, body: Any) -> Evidence:
    if not isinstance(body, dict):
        raise HttpError(400, "the body must be a JSON object")
    missing = [key for key in ("competency", "score", "on") if key not in body]
    if missing:
        raise HttpError(400, "missing " + ", ".join(missing))
    try:
        score = Decimal(str(body["score"]))
        on = dt.date.fromisoformat(str(body["on"]))
    except (InvalidOperation, ValueError):
        raise HttpError(400, "score must be a number and on a date (YYYY-MM-DD)") from None
    kind = body.get("kind")
    source_id = body.get("id")
    return Evidence(
        learner_id,
        str(body["competency"]),
        score,
        on,
        kind=None if kind is None else str(kind),
        source_id=None if source_id is None else str(source_id),
    )


def _changes(changes: Changes, session: Session) -> dict[str, Any]:
    return {
        "competencies": [change.after.code for change in changes.competencies],
        "decisions": [change.after.name for change in changes.decisions],
        "learner": masterykit.compact(session.result),
    }


def main(argv: list[str]) -> int:  # pragma: no cover - a development server
    """Serve ``POLICY`` for the learners in ``LEARNERS.csv`` on http://localhost:8000."""
    from wsgiref.simple_server import make_server

    policy, learners = argv
    gradebook = Gradebook(policy, masterykit.read_learners(learners))
    with make_server("", 8000, gradebook.app) as server:
        print("serving on http://localhost:8000")
        server.serve_forever()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
