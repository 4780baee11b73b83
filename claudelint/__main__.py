"""`python -m claudelint`: the command line."""

from claudelint.cli import main

if __name__ == "__main__":
    main(prog_name="claudelint")
