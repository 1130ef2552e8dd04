"""`python -m web.cli`: the `raciflow` command (how `raciflow run` starts its children)."""

from web.cli import main

main()
