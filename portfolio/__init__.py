"""The core of portfolj: parties, projects, money, periods, meetings, accounts and the database."""
