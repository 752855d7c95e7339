"""GraphClient: request shape and the retryable / permanent split, over an in-memory transport."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from ventanilla.adapters.whatsapp_client import (
    GraphClient,
    PermanentGraphError,
    ReplyOption,
    RetryableGraphError,
)


def client_answering(
    status: int, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[GraphClient, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json=body, headers=headers)

    return GraphClient("https://graph.test/v21.0/", transport=httpx.MockTransport(handler)), seen


async def test_send_text_posts_to_the_number_with_the_bearer_token() -> None:
    client, seen = client_answering(200, {"messaging_product": "whatsapp", "messages": [{"id": "wamid.X"}]})
    assert await client.send_text("123", "tok", "5492615551234", "Hola") == "wamid.X"
    (request,) = seen
    assert str(request.url) == "https://graph.test/v21.0/123/messages"
    assert request.headers["authorization"] == "Bearer tok"
    body = json.loads(request.content)
    assert body["messaging_product"] == "whatsapp" and body["to"] == "5492615551234"
    assert body["type"] == "text" and body["text"]["body"] == "Hola"
    await client.aclose()


async def test_buttons_list_and_template_shapes() -> None:
    client, seen = client_answering(200, {"messages": [{"id": "w"}]})
    await client.send_buttons("1", "t", "549", "¿Sí?", [ReplyOption("confirmar_reclamo", "Confirmar")])
    await client.send_list("1", "t", "549", "Elegí", "Ver opciones", [("Opciones", [ReplyOption("a", "A", "Desc")])])
    await client.send_template("1", "t", "549", "aviso", "es_AR", ["Texto"])
    buttons, listing, template = (json.loads(r.content) for r in seen)
    assert buttons["interactive"]["action"]["buttons"][0]["reply"] == {"id": "confirmar_reclamo", "title": "Confirmar"}
    assert listing["interactive"]["action"]["sections"][0]["rows"][0] == {
        "id": "a",
        "title": "A",
        "description": "Desc",
    }
    assert template["template"]["language"] == {"code": "es_AR"}
    assert template["template"]["components"][0]["parameters"] == [{"type": "text", "text": "Texto"}]
    await client.aclose()


@pytest.mark.parametrize("status", [500, 502, 503, 429])
async def test_server_errors_and_throttling_are_retryable(status: int) -> None:
    client, _ = client_answering(status, {"error": {"message": "busy", "code": 4}}, {"Retry-After": "7"})
    with pytest.raises(RetryableGraphError) as caught:
        await client.send_text("1", "t", "549", "x")
    assert caught.value.status == status and caught.value.code == 4 and caught.value.retry_after == 7.0
    await client.aclose()


@pytest.mark.parametrize(("status", "code"), [(400, 100), (401, 190), (403, 10), (404, 803)])
async def test_client_errors_are_permanent(status: int, code: int) -> None:
    client, _ = client_answering(status, {"error": {"message": "nope", "code": code, "error_data": {"details": "why"}}})
    with pytest.raises(PermanentGraphError) as caught:
        await client.send_text("1", "t", "549", "x")
    assert caught.value.code == code and caught.value.message == "nope: why"
    await client.aclose()


async def test_timeouts_and_connection_errors_are_retryable() -> None:
    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    for handler in (timeout, refused):
        client = GraphClient("https://graph.test/v21.0", transport=httpx.MockTransport(handler))
        with pytest.raises(RetryableGraphError):
            await client.send_text("1", "secret-token", "549", "x")
        await client.aclose()


async def test_errors_never_carry_the_token() -> None:
    client, _ = client_answering(401, {"error": {"message": "Invalid OAuth access token", "code": 190}})
    with pytest.raises(PermanentGraphError) as caught:
        await client.send_text("1", "secret-token", "549", "x")
    assert "secret-token" not in str(caught.value)
    await client.aclose()
