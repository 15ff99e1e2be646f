"""``python -m schema``: write the SDL to ``schema/schema.graphql`` (``--check`` to compare)."""

from __future__ import annotations

import sys
from pathlib import Path

from strawberry.printer import print_schema

from schema.root import schema

SDL_PATH = Path(__file__).parent / "schema.graphql"


def sdl() -> str:
    return print_schema(schema) + "\n"


def main(argv: list[str]) -> int:
    if argv == ["--check"]:
        if SDL_PATH.read_text(encoding="utf-8") != sdl():
            sys.stderr.write(f"{SDL_PATH} is out of date: run python -m schema\n")
            return 1
        return 0
    if argv:
        sys.stderr.write("usage: python -m schema [--check]\n")
        return 2
    SDL_PATH.write_text(sdl(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
