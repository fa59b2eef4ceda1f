"""Background work on Huey: the queue (``queue``), a consumer inside another process
(``consumer``), and the tasks (``tasks``), which only call ``sync`` and ``ingest``."""
