"""Urgency detection for incoming citizen messages (es-AR) and the bot's immediate safety answer."""

from ventanilla.urgency.classifier import Verdict, classify_rules
from ventanilla.urgency.detector import classify
from ventanilla.urgency.evaluation import Example, evaluate, load_tsv
from ventanilla.urgency.lexicon import Category
from ventanilla.urgency.messages import safety_message

__all__ = [
    "Category",
    "Example",
    "Verdict",
    "classify",
    "classify_rules",
    "evaluate",
    "load_tsv",
    "safety_message",
]
