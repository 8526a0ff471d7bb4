"""The committee's own figures as data files, and the loader that validates and inserts them."""
