"""耕地保护 pages, one module per section; the URLconf imports each module."""
