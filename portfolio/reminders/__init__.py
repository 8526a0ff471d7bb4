"""E-mail reminders: SMTP settings (environment or a config file, never the repository), the
Swedish message, and sending it with smtplib (STARTTLS when configured)."""
