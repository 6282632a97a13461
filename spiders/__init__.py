"""Reference spiders."""
