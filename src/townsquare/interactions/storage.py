"""Attachment storage: content-addressed files on local disk (an S3-compatible store can replace it).

Writes happen before the database commit; a file whose transaction rolled back is an unreferenced blob,
harmless and identical to any later upload of the same bytes.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


class AttachmentStore:
    """Files kept under `root/ab/abcdef…` by SHA-256."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def save(self, data: bytes) -> str:
        """Store bytes durably and return their SHA-256."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.path_for(digest)
        if target.exists():
            return digest
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        return digest

    def read(self, sha256: str) -> bytes:
        return self.path_for(sha256).read_bytes()
