"""Utilization, latency and accuracy reports (text, Markdown, CSV, JSON, HTML, plots)."""
