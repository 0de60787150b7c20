import sys


def main(lines=100, text="line"):
    for i in range(lines):
        print(f"{text} {i}")
        if i % 10 == 0:
            print(f"{text} {i} to stderr", file=sys.stderr)
    return {"printed": lines}
