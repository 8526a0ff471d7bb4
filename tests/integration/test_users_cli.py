"""`portfolj user`: every account command through the real parser, against a seeded database file."""

from __future__ import annotations

import io
import json

import pytest

from dashboard.cli import main
from portfolio import accounts, users_store
from registers.database import open_database

PASSWORD = "ett-langt-losenord"


def user(seeded_path, *args: str, stdin: str | None = None, monkeypatch=None) -> int:
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin + "\n"))
    return main(["user", *args, "--db", str(seeded_path)])


def account(seeded_path, email: str) -> dict:
    found = users_store.user_account(open_database(seeded_path), email)
    assert found is not None
    return found


@pytest.mark.parametrize("party", ["Bräcke", "Bräcke kommun", "BRACKE"])
def test_add_takes_the_party_by_name_or_code(seeded_path, capsys, party):
    code = user(
        seeded_path, "add", "--name", "Anna Berg", "--email", "anna@bracke.se", "--role", "kommunchef",
        "--party", party,
    )  # fmt: skip
    assert code == 0
    assert "Kontot anna@bracke.se är skapat" in capsys.readouterr().out
    assert account(seeded_path, "anna@bracke.se")["party"] == "BRACKE"


def test_add_with_an_unknown_party_lists_the_valid_ones_and_creates_nothing(seeded_path, capsys):
    code = user(
        seeded_path, "add", "--name", "X", "--email", "x@x.se", "--role", "kommunchef", "--party", "Atlantis"
    )
    assert code == 1
    err = capsys.readouterr().err
    assert "Okänd part 'Atlantis'" in err
    assert "Bräcke kommun" in err
    assert users_store.find_user(open_database(seeded_path), "x@x.se") is None


def test_list_as_json_shows_every_account_without_password_hashes(seeded_path, capsys):
    assert user(seeded_path, "list", "--format", "json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert "ledamot@gns.example" in [r["email"] for r in rows]
    assert all("password_hash" not in r for r in rows)
    assert {"must_change_password", "locked_until"} <= set(rows[0])


def test_edit_changes_only_what_is_given_and_prints_the_account(seeded_path, capsys):
    assert (
        user(seeded_path, "edit", "kommunchef.bracke@gns.example", "--party", "östersund", "--format", "json")
        == 0
    )
    out = capsys.readouterr()
    assert "är ändrat" in out.err
    [row] = json.loads(out.out)
    assert (row["party"], row["role"], row["name"]) == ("OSTERSUND", "kommunchef", "Demo Kommunchef Bräcke")
    assert account(seeded_path, "kommunchef.bracke@gns.example")["version"] == 2


def test_edit_to_another_role_drops_the_bindings_it_cannot_hold(seeded_path, capsys):
    assert user(seeded_path, "edit", "projektledare.link2@gns.example", "--role", "nämnd") == 0
    changed = account(seeded_path, "projektledare.link2@gns.example")
    assert (changed["role"], changed["projects"]) == ("nämnd", [])
    assert (
        user(seeded_path, "edit", "ledamot@gns.example", "--role", "projektledare", "--project", "GNS/8/2018")
        == 0
    )
    assert account(seeded_path, "ledamot@gns.example")["projects"] == ["GNS/8/2018"]


def test_edit_that_breaks_a_role_rule_is_refused(seeded_path, capsys):
    assert user(seeded_path, "edit", "ledamot@gns.example", "--role", "kommunchef") == 1
    assert "måste knytas till en part" in capsys.readouterr().err
    assert account(seeded_path, "ledamot@gns.example")["role"] == "nämnd"


def test_edit_of_an_unknown_account_says_so(seeded_path, capsys):
    assert user(seeded_path, "edit", "ingen@x.se", "--name", "X") == 1
    assert "inget konto med e-postadressen ingen@x.se" in capsys.readouterr().err


def test_disable_and_enable_again(seeded_path, capsys):
    assert user(seeded_path, "disable", "ledamot@gns.example") == 0
    assert not account(seeded_path, "ledamot@gns.example")["active"]
    assert user(seeded_path, "enable", "ledamot@gns.example") == 0
    assert account(seeded_path, "ledamot@gns.example")["active"]
    assert "aktiverat igen" in capsys.readouterr().out


def test_reset_password_from_stdin_forces_a_new_one_at_next_login(seeded_path, capsys, monkeypatch):
    assert user(seeded_path, "reset-password", "ledamot@gns.example", "--password-stdin", stdin=PASSWORD,
                monkeypatch=monkeypatch) == 0  # fmt: skip
    assert "tillfälligt lösenord" in capsys.readouterr().out
    db = open_database(seeded_path)
    signed_in = accounts.authenticate(db, "ledamot@gns.example", PASSWORD)
    assert accounts.must_choose_password(db, signed_in)


def test_reset_password_without_one_says_the_account_has_none(seeded_path, capsys):
    assert user(seeded_path, "reset-password", "ledamot@gns.example") == 0
    assert "har nu inget lösenord" in capsys.readouterr().out
    assert not account(seeded_path, "ledamot@gns.example")["has_password"]


def test_unlock_clears_the_lock(seeded_path, capsys, monkeypatch):
    user(seeded_path, "reset-password", "ledamot@gns.example", "--password-stdin", stdin=PASSWORD,
         monkeypatch=monkeypatch)  # fmt: skip
    db = open_database(seeded_path)
    for _ in range(accounts.MAX_FAILED_LOGINS):
        with pytest.raises(accounts.AuthenticationError):
            accounts.authenticate(db, "ledamot@gns.example", "fel-losenord-123")
    assert account(seeded_path, "ledamot@gns.example")["locked_until"] is not None
    assert user(seeded_path, "unlock", "ledamot@gns.example") == 0
    assert "upplåst" in capsys.readouterr().out
    assert account(seeded_path, "ledamot@gns.example")["locked_until"] is None
    assert accounts.authenticate(db, "ledamot@gns.example", PASSWORD)


def test_an_unknown_party_gets_one_message_not_a_second_that_it_is_missing(seeded_path, capsys):
    assert (
        user(seeded_path, "add", "--name", "X", "--email", "x@x.se", "--role", "kommunchef", "--party", "Y")
        == 1
    )
    err = capsys.readouterr().err
    assert "Okänd part 'Y'" in err
    assert "måste knytas till en part" not in err
