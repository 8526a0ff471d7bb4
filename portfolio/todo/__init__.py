"""Att göra: what each user has to do, built from the registers, the reporting calendar and the
meetings; and the log of e-mail reminders already sent (each is sent once)."""
