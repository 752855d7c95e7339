"""Durable jobs: one runner (claim, lease, back off, wake) over every queue (emails, WhatsApp, Pusher).

The runner lives in `ventanilla.jobs.runner`; this package imports nothing, so `ventanilla --help` stays fast.
"""
