"""The baseline for fan-out: a bare `websockets` server that broadcasts what /control sends.

python -m bench.bare_server PORT
"""

import asyncio
import sys

from websockets.asyncio.server import broadcast, serve

LISTENERS: set = set()


async def handler(ws) -> None:
    if ws.request.path == "/control":
        async for message in ws:
            broadcast(LISTENERS, message)
        return
    LISTENERS.add(ws)
    try:
        await ws.wait_closed()
    finally:
        LISTENERS.discard(ws)


async def main(port: int) -> None:
    async with serve(handler, "127.0.0.1", port, ping_interval=None, backlog=4096):
        print("ready", flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
