"""Registers built on the core: risks and actions, benefits, surveys, bruttolista."""
