"""The meeting's documents: kallelse med handlingar and protokoll, built from the portfolio's data."""
