"""The reminder e-mail in Swedish, and sending it through SMTP."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable, Sequence
from datetime import date
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from portfolio.errors import PortfoljError
from portfolio.reminders.settings import SmtpSettings
from portfolio.todo.logic import MISSED, Reminder
from portfolio.todo.model import TodoItem

TIMEOUT_SECONDS = 30


class MailError(PortfoljError):
    """The SMTP server could not be reached or refused a message; what was not sent stays unsent."""


def subject(reminders: Sequence[Reminder]) -> str:
    """ "Påminnelse från portfolj: 1 sak att göra, 1 försenad"."""
    late = sum(r.stage == MISSED for r in reminders)
    count = len(reminders)
    text = f"Påminnelse från portfolj: {count} {'sak' if count == 1 else 'saker'} att göra"
    return f"{text}, {late} {'försenad' if late == 1 else 'försenade'}" if late else text


def body(
    reminders: Sequence[Reminder], today: date, link: Callable[[TodoItem], str | None] | None = None
) -> str:
    """The plain-text body: one line per reminder under its heading, and where it is done."""
    lines = [f"Hej {reminders[0].name}!", "", "Det här väntar på dig i portfolj:", ""]
    heading = None
    for reminder in reminders:
        item = reminder.item
        if item.kind != heading:
            if heading is not None:
                lines.append("")
            heading = item.kind
            lines.append(f"{item.kind.value}:")
        prefix = "FÖRSENAD: " if reminder.stage == MISSED else ""
        lines.append(f"- {prefix}{item.text}, {item.when_text(today)}")
        address = link(item) if link else None
        if address:
            lines.append(f"  {address}")
    lines += [
        "",
        "Du ser samma sak under Att göra när du loggar in. Varje påminnelse skickas en gång.",
        "",
        "Hälsningar",
        "portfolj – GNS projektportfölj",
    ]
    return "\n".join(lines) + "\n"


def compose(
    settings: SmtpSettings,
    reminders: Sequence[Reminder],
    today: date,
    link: Callable[[TodoItem], str | None] | None = None,
) -> EmailMessage:
    """One e-mail to one user with every reminder they get today."""
    if not reminders or len({r.email for r in reminders}) != 1:
        raise ValueError("Ett meddelande går till en mottagare och har minst en påminnelse")
    message = EmailMessage()
    message["Subject"] = subject(reminders)
    message["From"] = formataddr(("portfolj", settings.sender))
    message["To"] = formataddr((reminders[0].name, reminders[0].email))
    message["Message-ID"] = make_msgid(domain=settings.sender.rsplit("@", 1)[-1])
    message["Content-Language"] = "sv"
    message.set_content(body(reminders, today, link))
    return message


class Sender:
    """An open SMTP connection (STARTTLS and login when configured), for `with`."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def _where(self) -> str:
        return f"{self.settings.host}:{self.settings.port}"

    def __enter__(self) -> Sender:
        s = self.settings
        try:
            smtp = smtplib.SMTP(s.host, s.port, timeout=TIMEOUT_SECONDS)
            smtp.ehlo()
            if s.starttls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if s.user:
                smtp.login(s.user, s.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            raise MailError(f"E-postservern {self._where()} godtog inte inloggningen som {s.user}") from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise MailError(f"E-postservern {self._where()} erbjuder inte STARTTLS eller inloggning") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise MailError(f"E-postservern {self._where()} kan inte nås: {exc}") from exc
        self._smtp = smtp
        return self

    def send(self, message: EmailMessage) -> None:
        """Send one message; MailError when the server refuses it."""
        assert self._smtp is not None
        try:
            self._smtp.send_message(message)
        except (smtplib.SMTPException, OSError) as exc:
            raise MailError(
                f"E-postservern {self._where()} tog inte emot meddelandet till {message['To']}: {exc}"
            ) from exc

    def __exit__(self, *exc: object) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
