"""Battle-map pages (挂图作战), one module per section; the URLconf imports each module."""
