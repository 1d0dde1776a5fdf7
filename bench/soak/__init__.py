"""The reliability suite (`make soak`, `python -m bench.soak`): three app processes and two workers behind HAProxy on
one PostgreSQL and one Redis, a burst of signed contacts on every door with processes killed and restarted under it,
then the count of what was lost, duplicated, offered twice or sent twice. Loopback only; never part of `make test`.
"""
