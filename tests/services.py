"""The test suite's name for gridcase.localservices (private PostgreSQL and Redis on loopback).

python -m tests.services postgres [redis] -- COMMAND...
"""

import sys

from gridcase.localservices import (  # noqa: F401 (re-exported for the tests)
    SERVERS,
    SERVICES_DIR,
    ServiceUnavailable,
    apt_install,
    find_postgres,
    find_redis,
    free_port,
    main,
    postgres_instance,
    postgres_server,
    redis_instance,
    redis_server,
)

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
