"""A logging filter that removes credentials carried in URLs before a record is written anywhere.

Tile keys (layers/tile_keys.py) travel as `?key=` because a tile URL template is all some GIS clients
can configure; a request log line ("GET /layers/data/…/tiles/12/3/4.pbf?key=… HTTP/1.1") would otherwise
store a working credential in every log file and log shipper.
"""

from __future__ import annotations

import logging
import re

# key= (tile key), token= and access_token= (what clients commonly try) as a query parameter anywhere.
SECRET_PARAM = re.compile(r"([?&](?:key|token|access_token)=)[^&\s\"']+", re.IGNORECASE)
REDACTED = "[redacted]"


def redact(text: str) -> str:
    return SECRET_PARAM.sub(lambda m: m.group(1) + REDACTED, text)


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            # The formatted message replaces msg/args so no handler can re-format the secret back in.
            record.msg, record.args = cleaned, None
        return True
