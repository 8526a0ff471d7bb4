"""Bruttolista."""
