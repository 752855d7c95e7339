"""Ventanilla: municipal complaints backend with live chat, WhatsApp and email."""

__version__ = "0.1.0"
