"""``python -m zzgeo ...``: the same command line as ``zzgeo ...``."""

from zzgeo.cli import main

if __name__ == "__main__":
    main()
