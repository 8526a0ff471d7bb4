"""Personal API keys: each user's named, revocable keys for reading the portfolio from Power BI,
Excel and scripts. Only a key's SHA-256 hash is stored; the key itself is shown once."""
