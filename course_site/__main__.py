"""python -m course_site build [--no-execute] [--output DIR] | translations"""

import argparse
from pathlib import Path

from autograde.paths import REPO_ROOT


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m course_site", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="build the site of both languages (offline)")
    build.add_argument("--output", type=Path, default=REPO_ROOT / "runs" / "site", help="default: runs/site")
    build.add_argument("--no-execute", action="store_true", help="show the code without running the lessons")
    commands.add_parser("translations", help="bring the landing page's translation catalogs in step with it")
    arguments = parser.parse_args()
    if arguments.command == "build":
        from course_site.build import SiteError, build_site  # (Sphinx imported only to build)

        try:
            print(build_site(arguments.output, not arguments.no_execute) / "index.html")
        except SiteError as error:
            raise SystemExit(f"python -m course_site: {error}") from None
    else:
        from course_site.sources import update_landing_catalogs

        for path in update_landing_catalogs():
            print(path.relative_to(REPO_ROOT))


if __name__ == "__main__":
    main()
