import asyncio
import time


async def fetch(url, delay_s):
    await asyncio.sleep(delay_s)
    return {"url": url, "status": 200, "bytes": len(url) * 100}


async def execute(urls, delay_ms=10):
    started = time.perf_counter()
    pages = await asyncio.gather(*(fetch(u, delay_ms / 1000) for u in urls))
    return {"pages": pages, "elapsed_ms": round((time.perf_counter() - started) * 1000, 1)}
