"""ui.plain: user text inside Markdown is shown as written, never rendered."""

from __future__ import annotations

import pytest

from dashboard.ui import plain


@pytest.mark.parametrize(
    ("text", "shown_as"),
    [
        ("![x](http://example.invalid/a.png)", r"!\[x\](http\://example.invalid/a.png)"),
        ("[klicka](javascript:alert(1))", r"\[klicka\](javascript\:alert(1))"),
        ("<img src=x onerror=alert(1)>", r"\<img src=x onerror=alert(1)\>"),
        ("**fet** och _kursiv_ och `kod`", r"\*\*fet\*\* och \_kursiv\_ och \`kod\`"),
        (":red[röd] $x^2$ ~~bort~~", r"\:red\[röd\] \$x^2\$ \~\~bort\~\~"),
        (
            "besök www.example.invalid eller skriv till a@b.se",
            r"besök www\.example.invalid eller skriv till a\@b.se",
        ),
        ("# Rubrik\n- punkt\n2019. år\n> citat", "\\# Rubrik\n\\- punkt\n2019\\. år\n\\> citat"),
    ],
)
def test_markup_in_user_text_is_escaped(text: str, shown_as: str) -> None:
    assert plain(text) == shown_as


def test_ordinary_prose_is_left_as_it_was_written() -> None:
    assert plain("Förstudie IT-serverdrift, 3,5 mnkr (2019).") == "Förstudie IT-serverdrift, 3,5 mnkr (2019)."


def test_nothing_is_an_empty_string() -> None:
    assert plain(None) == ""


def test_a_text_column_is_escaped_exactly_as_a_single_text() -> None:
    import polars as pl

    from dashboard.ui import plain_expr

    texts = [
        "![x](http://example.invalid/a.png)",
        "# Rubrik\n- punkt\n2019. år\n  > citat\n+ mer\n1) ett",
        "www.example.invalid och WWW.A.SE, a@b.se <b>&amp;</b> :red[x] $y$ ~z~ | a_b *c* `d` \\",
        "IT-serverdrift 3,5 mnkr (2019).",
        None,
    ]
    escaped = pl.DataFrame({"t": texts}).select(plain_expr(pl.col("t")))["t"].to_list()
    assert escaped == [None if t is None else plain(t) for t in texts]
