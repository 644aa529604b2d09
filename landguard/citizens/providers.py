"""The adapter contract for shared-data providers (一证办证: 公安 身份核查/户籍, 民政 婚姻, 最高法 判决, 卫健 死亡证明,
税务 完税, 住建 网签备案, 法院/登记簿 查封), one in-process demo provider and one HTTP provider.

The contract (every provider implements it; services and the poll loop call nothing else):

    request(query: Query) -> Answer | Pending     ask now; an asynchronous interface answers Pending(ticket)
    poll(ticket: str)     -> Answer | Pending     ask again for a pending one (the ticket is all that is kept)
    both raise ProviderError on a transport or protocol failure (the request is marked 失败 with the message).

`Query.subject_id` is the person's ID number in clear, held in memory for the call only; it is never stored, logged
or put in a ticket. An `Answer` is what LandGuard keeps: `matched` (the comparison result: identity verified,
contract filed, tax paid, no seizure…), `flags` (named yes/no facts the registration needs, nothing else) and
`digest` (a keyed hash of the provider's whole answer, proving what was received without keeping it).

HTTP protocol (CITIZENS_PROVIDERS = {"<document>": {"kind": "http", "url": "https://…", "timeout": 5}}):
    POST <url>        {"document", "purpose", "subject_id", "reference", "consent"}
    POST <url>/poll   {"ticket"}
    answer 200 JSON   {"status": "answered", "matched": true|false, "flags": {"name": bool}}
                   or {"status": "pending", "ticket": "…"}
Anything else (a non-200 status, a body that is not that JSON, a timeout) is a ProviderError.
"""

from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Protocol

from landguard.citizens import tunables
from landguard.citizens.idnumbers import keyed_digest
from landguard.core import clock

ASYNC_DEMO_DOCUMENTS = frozenset({"household", "judgment"})  # 户籍 and 判决 are 申请 then 反馈 (§C.1)


@dataclass(frozen=True)
class Query:
    document: str
    purpose: str
    subject_id: str | None = field(default=None, repr=False)  # in clear, for the call only
    reference: str = ""  # contract number or 不动产单元号
    consent: bool = False


@dataclass(frozen=True)
class Answer:
    matched: bool
    digest: str
    flags: dict[str, bool] = field(default_factory=dict)


@dataclass(frozen=True)
class Pending:
    ticket: str


class ProviderError(Exception):
    pass


class Provider(Protocol):
    key: str

    def request(self, query: Query) -> Answer | Pending: ...

    def poll(self, ticket: str) -> Answer | Pending: ...


class DemoProvider:
    """Answers in process, deterministically: everything verified, except a contract number ending in 0000 (not
    filed, no tax paid) and a 不动产单元号 ending in 99999999 (seized). 户籍 and 判决 answer asynchronously after
    CITIZENS_DEMO_ASYNC_SECONDS; the ticket carries the time it is ready, so a restart loses nothing."""

    key = "demo"

    def request(self, query: Query) -> Answer | Pending:
        if query.document in ASYNC_DEMO_DOCUMENTS:
            ready = clock.now().timestamp() + float(tunables.get("CITIZENS_DEMO_ASYNC_SECONDS"))
            return Pending(f"demo:{query.document}:{int(ready)}:{secrets.token_hex(6)}")
        return self._answer(query.document, query.reference, secrets.token_hex(8))

    def poll(self, ticket: str) -> Answer | Pending:
        try:
            _demo, document, ready, _nonce = ticket.split(":")
            ready_at = int(ready)
        except ValueError:
            raise ProviderError(f"unknown ticket {ticket[:40]!r}") from None
        if clock.now().timestamp() < ready_at:
            return Pending(ticket)
        return self._answer(document, "", ticket)

    @staticmethod
    def _answer(document: str, reference: str, nonce: str) -> Answer:
        matched = True
        if document in ("contract_filing", "tax") and reference.endswith("0000"):
            matched = False
        if document == "seizure" and reference.endswith("99999999"):
            matched = False
        body = json.dumps({"document": document, "matched": matched, "nonce": nonce}).encode()
        return Answer(matched=matched, digest=keyed_digest(body))


class HttpProvider:
    def __init__(self, url: str, timeout: float = 5.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.key = f"http:{self.url.split('//', 1)[-1].split('/', 1)[0]}"[:40]

    def request(self, query: Query) -> Answer | Pending:
        return self._post(self.url, {"document": query.document, "purpose": query.purpose,
                                     "subject_id": query.subject_id, "reference": query.reference,
                                     "consent": query.consent})

    def poll(self, ticket: str) -> Answer | Pending:
        return self._post(f"{self.url}/poll", {"ticket": ticket})

    def _post(self, url: str, payload: dict) -> Answer | Pending:
        data = json.dumps(payload).encode()
        req = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as response:  # noqa: S310  configured URL
                body = response.read(64 * 1024)
        except urllib.error.HTTPError as exc:
            raise ProviderError(f"HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            raise ProviderError(str(getattr(exc, "reason", exc))[:200]) from None
        return parse_answer(body)


def parse_answer(body: bytes) -> Answer | Pending:
    """A provider's JSON answer read into the contract's types; ProviderError for anything else."""
    try:
        answer = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ProviderError("the answer is not JSON") from None
    if not isinstance(answer, dict):
        raise ProviderError("the answer is not a JSON object")
    if answer.get("status") == "pending" and isinstance(answer.get("ticket"), str) and answer["ticket"]:
        return Pending(answer["ticket"][:120])
    if answer.get("status") == "answered" and isinstance(answer.get("matched"), bool):
        raw_flags = answer.get("flags") or {}
        flags = {str(k)[:40]: v for k, v in raw_flags.items() if isinstance(v, bool)} if isinstance(
            raw_flags, dict) else {}
        return Answer(matched=answer["matched"], digest=keyed_digest(body), flags=flags)
    raise ProviderError("the answer has neither a result nor a ticket")


def provider_for(document: str) -> Provider:
    """The provider configured for this document (CITIZENS_PROVIDERS), the demo provider when none is."""
    config = (tunables.get("CITIZENS_PROVIDERS") or {}).get(document)
    if config and config.get("kind") == "http":
        return HttpProvider(config["url"], float(config.get("timeout", 5)))
    return DemoProvider()
