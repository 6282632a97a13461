"""Downloader middlewares: the request gates (stops, robots.txt, reservations), the site accounting, and the stop signals read from responses."""
