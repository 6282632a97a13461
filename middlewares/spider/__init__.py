"""Spider middlewares: the page rules (robots meta tags and X-Robots-Tag, reserved pages' items)."""
