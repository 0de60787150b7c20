def execute(n):
    # A pure-Python loop holds the GIL the whole time: only more processes make it faster.
    total = 0
    for i in range(n * 10_000):
        total = (total + i * i) % 1_000_003
    return {"n": n, "checksum": total}
