"""gunicorn's settings for the portal, read from the working directory: the Procfile's web
process and `make bench` (benchmarks/web.py) both start gunicorn in the repository's root.
Workers, bind address and timeouts stay on the command line, so this file only changes how a
worker starts: the Procfile keeps its 3 sync workers (a small office server's 2 cores, with a
worker to spare while one waits on PostgreSQL or Redis; preloading changes the memory a worker
costs, not the CPU a page needs), the bench its 4.

Why: a worker's first page cost 500-700 ms at county scale (measured on deqing_bench_scale):
importing every view through the URL configuration, building the reverse tables, compiling
templates - and then a full garbage collection walking the ~370,000 objects all of that left,
about 160 ms on its own, repeated whenever a later collection reached the oldest generation.
Each of the workers paid it in the first second after a start or a restart (the cold ranking's
1.4 s p99 round in the benchmark). So, as Python's gc documentation advises for a server that
forks:

- the application is loaded once, in the master (`preload_app`), with collections off while
  it loads, and warmed (deqing_hub.warmup: URL tables, catalogues, templates; nothing that
  opens a database or Redis connection - Django connects lazily, and the warm-up closes any
  connection it finds);
- `gc.freeze()` then moves every object that exists into a permanent generation that
  collections never walk, so a worker's collections scan only what it made itself, and the
  workers keep sharing those pages copy-on-write instead of each dirtying them.

Consequence: a code change needs a restart (SIGHUP no longer reloads the application, since
the master holds it); a deployment restarts the service anyway.
"""

from __future__ import annotations

import gc

preload_app = True

# No collections while the application loads: its objects live as long as the process, and
# collecting in the middle of the import only leaves holes in pages the workers will share.
gc.disable()


def when_ready(server) -> None:
    """In the master, once the application is loaded and before the first fork."""
    from deqing_hub import warmup

    warmup.load()
    gc.freeze()
    # The master's own few objects from here on are collected as usual; the frozen ones are
    # never walked, by it or by the workers it forks.
    gc.enable()
