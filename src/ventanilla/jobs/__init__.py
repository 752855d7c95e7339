"""Durable jobs: one runner (claim, lease, back off, wake) over every queue (emails, WhatsApp, Pusher)."""

from ventanilla.jobs.runner import Backlog, Backoff, DeadJob, Queue, Runner, Runners

__all__ = ["Backlog", "Backoff", "DeadJob", "Queue", "Runner", "Runners"]
