"""Server-rendered pages: the public start page and the staff desk (portal pages come later)."""
