"""The app's pages as data: the router builds the navigation from it, tests and the benchmark
walk it, so a new page is registered in one place."""

from __future__ import annotations

from dataclasses import dataclass

from portfolio.auth import Role


@dataclass(frozen=True, slots=True)
class PageSpec:
    section: str
    path: str  # relative to dashboard/
    title: str
    url_path: str
    admin_only: bool = False
    default: bool = False


# The Projekt page's parts, each a tab with its own address: /projekt?projekt=KOD&avsnitt=Tidplan
# (Streamlit keeps the open tab in that query parameter; the first tab has none).
PROJECT_SECTION_PARAM = "avsnitt"
PROJECT_SECTIONS = ("Översikt", "Statusrapporter", "Budget och utfall", "Tidplan", "Livscykel och beslut")
# The Nyttoregister's tabs, the same way: /nyttoregister?flik=Hela+portföljen
BENEFITS_TAB_PARAM = "flik"
BENEFITS_TABS = ("Projektets nyttor", "Nyttokalkyl", "Hela portföljen")

PAGES: tuple[PageSpec, ...] = (
    # Att göra is what every role sees first after login.
    PageSpec("Portföljen", "app_pages/todo.py", "Att göra", "att-gora", default=True),
    PageSpec("Portföljen", "app_pages/overview.py", "Portföljöversikt", "oversikt"),
    PageSpec("Portföljen", "app_pages/project.py", "Projekt", "projekt"),
    PageSpec("Portföljen", "app_pages/project_new.py", "Nytt projekt", "nytt-projekt", admin_only=True),
    PageSpec("Portföljen", "app_pages/risks.py", "Riskregister", "riskregister"),
    PageSpec("Portföljen", "app_pages/portfolio_risks.py", "Portföljens risker", "portfoljens-risker"),
    PageSpec("Portföljen", "app_pages/benefits.py", "Nyttoregister", "nyttoregister"),
    PageSpec("Portföljen", "app_pages/surveys.py", "Enkäter", "enkater"),
    PageSpec("Ekonomi", "app_pages/tertial.py", "Tertialrapport", "tertialrapport"),
    PageSpec("Ekonomi", "app_pages/allocation.py", "Kostnadsfördelning", "kostnadsfordelning"),
    PageSpec("Ekonomi", "app_pages/ledger_import.py", "Import av redovisning", "import", admin_only=True),
    PageSpec("Nämnden", "app_pages/meetings.py", "Sammanträden", "sammantraden"),
    PageSpec("Nämnden", "app_pages/decisions.py", "Beslut", "beslut"),
    PageSpec("Nämnden", "app_pages/bruttolista.py", "Bruttolista", "bruttolista"),
    PageSpec("Nämnden", "app_pages/calendar.py", "Rapportkalender", "rapportkalender"),
    PageSpec("Uppföljning", "app_pages/audit.py", "Ändringslogg", "andringslogg"),
    PageSpec("Administration", "app_pages/users.py", "Användare", "anvandare", admin_only=True),
    PageSpec("Om tjänsten", "app_pages/my_account.py", "Mitt konto", "mitt-konto"),
    PageSpec("Om tjänsten", "app_pages/api_keys.py", "API-nycklar", "api-nycklar"),
    PageSpec("Om tjänsten", "app_pages/accessibility.py", "Tillgänglighetsredogörelse", "tillganglighet"),
)

LOGIN = PageSpec("", "app_pages/login.py", "Logga in", "logga-in", default=True)
ACCESSIBILITY = next(p for p in PAGES if p.path == "app_pages/accessibility.py")


def pages_for(role: Role) -> list[PageSpec]:
    """The pages a role sees in its navigation."""
    return [p for p in PAGES if not p.admin_only or role is Role.ADMIN]
