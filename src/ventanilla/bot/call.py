"""What the bot's steps need of one turn (the service's turn object has it): one typed object, not eight parameters."""

from __future__ import annotations

from typing import Protocol

from ventanilla.context import AppContext
from ventanilla.db import UnitOfWork
from ventanilla.entities.models import Entity

from .model import BotSettings, ConversationState, Incoming


class CarriesIncoming(Protocol):
    """A transport's turn: what came in."""

    @property
    def incoming(self) -> Incoming: ...


class BotCall(Protocol):
    """One bot turn going through the steps (read-only here; the steps change `state` in place)."""

    @property
    def ctx(self) -> AppContext: ...
    @property
    def uow(self) -> UnitOfWork: ...
    @property
    def entity(self) -> Entity: ...
    @property
    def channel(self) -> str: ...
    @property
    def session_key(self) -> str | None: ...
    @property
    def turn(self) -> CarriesIncoming: ...
    @property
    def state(self) -> ConversationState: ...
    @property
    def settings(self) -> BotSettings: ...
