"""Wire shapes of the knowledge base (admin API in Spanish like the panel; suggestions as docs/contract.md §8)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from ventanilla.knowledge import search
from ventanilla.knowledge.models import KnowledgeEntry
from ventanilla.text import LINK_PATTERN, NONBLANK_PATTERN

_OPTIONAL_LINK = {"anyOf": [{"type": "string", "maxLength": 500, "pattern": LINK_PATTERN}, {"type": "null"}]}


class EntryIn(BaseModel):
    """An entry as an admin writes it."""

    model_config = ConfigDict(extra="ignore")

    titulo: str = Field(min_length=1, max_length=200, json_schema_extra={"pattern": NONBLANK_PATTERN})
    respuesta: str = Field(min_length=1, max_length=4000, json_schema_extra={"pattern": NONBLANK_PATTERN})
    palabras_clave: list[str] | str = Field(default_factory=list)
    enlace: Annotated[str | None, Field(max_length=500), WithJsonSchema(_OPTIONAL_LINK)] = None


class EntryOut(BaseModel):
    """An entry as the admin API returns it."""

    id: int
    titulo: str
    respuesta: str
    palabras_clave: list[str]
    enlace: str | None

    @classmethod
    def of(cls, entry: KnowledgeEntry) -> EntryOut:
        """From the model."""
        return cls(
            id=entry.id,
            titulo=entry.title,
            respuesta=entry.answer,
            palabras_clave=list(entry.keywords or ()),
            enlace=entry.link,
        )


class EntryList(BaseModel):
    """Every entry of the entity."""

    entradas: list[EntryOut]


class ImportOut(BaseModel):
    """What an import changed."""

    creadas: int
    actualizadas: int


class SuggestionQuery(BaseModel):
    """The panel's request for suggestions (POST body, or `?query=`)."""

    model_config = ConfigDict(extra="ignore")

    query: str = Field(default="", max_length=4000)
    language: str | None = Field(default=None, max_length=16)


class Suggestion(BaseModel):
    """One suggested answer for the agent."""

    title: str
    answer: str
    source: str
    confidence: float

    @classmethod
    def of(cls, hit: search.Hit) -> Suggestion:
        """From a retrieval hit."""
        return cls(title=hit.item.title, answer=hit.item.answer, source="knowledge_base", confidence=hit.confidence)


class Suggestions(BaseModel):
    """The answer of the suggestion routes."""

    suggestions: list[Suggestion]
