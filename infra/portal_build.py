"""Building the portal before it is served or published (run by `make`; no CDN at run time).

- Vendoring: front-end libraries copied from node_modules (none at run time today).
- Partials: what pages share (the document's head, the header, the footer) is written once, in
  `portal/partials/NAME.html`; a page marks where each goes with `<!-- partial: NAME --><!-- /partial -->`.
  A partial may have slots, `{{key}}`, that the marker fills: `<!-- partial: head title="..." -->` (the
  page's own title and script); `{{content}}` takes the lines the page writes between the two markers
  (a breadcrumb trail's own steps). The built portal is `build/portal/`: `portal/` with every region filled
  and the partials left out. The local gateway serves it and `make publish-portal` uploads it, so a
  menu change is one edit.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORTAL = ROOT / "portal"
VENDOR = PORTAL / "vendor"
PARTIALS = PORTAL / "partials"
OUTPUT = ROOT / "build" / "portal"
# destination in portal/vendor -> source in node_modules
FILES: dict[str, str] = {}
VALUE = re.compile(r'(?P<key>[a-z-]+)="(?P<value>[^"]*)"')
REGION = re.compile(
    rf"<!-- partial: (?P<name>[a-z-]+)(?P<values>(?:\s+{VALUE.pattern})*)\s*-->"
    r"(?P<content>.*?)<!-- /partial -->\n?",
    re.S,
)
SLOT = re.compile(r"\{\{(?P<key>[a-z-]+)\}\}")


def vendor() -> list[Path]:
    VENDOR.mkdir(parents=True, exist_ok=True)
    copied = []
    for destination, source in FILES.items():
        origin = ROOT / "node_modules" / source
        target = VENDOR / destination
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() or target.stat().st_mtime < origin.stat().st_mtime:
            shutil.copyfile(origin, target)
        copied.append(target)
    return copied


def pages() -> list[Path]:
    return sorted(p for p in PORTAL.rglob("*.html") if PARTIALS not in p.parents and VENDOR not in p.parents)


def filled(text: str) -> str:
    """The page with every partial region replaced by its partial's text, slots filled."""

    def fill(match: re.Match[str]) -> str:
        source = PARTIALS / f"{match['name']}.html"
        if not source.is_file():
            raise FileNotFoundError(f"portal/partials/{match['name']}.html is missing")
        values = {m["key"]: m["value"] for m in VALUE.finditer(match["values"])}
        lines = match["content"].split("\n")[1:-1]  # the markers' own lines are not content
        if lines:
            values["content"] = "\n".join(lines)
        return with_slots(source.read_text().lstrip(), values, source.name)

    return REGION.sub(fill, text)


def with_slots(partial: str, values: dict[str, str], name: str) -> str:
    """A partial's `{{key}}` slots filled from its marker; a slot with no value, or a value with no slot,
    is a mistake in the page, so the build stops on it."""
    slots = {m["key"] for m in SLOT.finditer(partial)}
    if missing := sorted(slots - values.keys()):
        raise ValueError(f"partial {name} needs {', '.join(missing)}")
    if unused := sorted(values.keys() - slots):
        raise ValueError(f"partial {name} has no slot for {', '.join(unused)}")
    return SLOT.sub(lambda m: values[m["key"]], partial)


def assemble(output: Path = OUTPUT) -> Path:
    """`portal/` as it is served: pages with their partials, every other file copied when newer."""
    for source in sorted(PORTAL.rglob("*")):
        if not source.is_file() or PARTIALS in source.parents or source.name == "README.md":
            continue
        target = output / source.relative_to(PORTAL)
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.suffix == ".html":
            text = filled(source.read_text())
            if not target.exists() or target.read_text() != text:
                target.write_text(text)
        elif not target.exists() or target.stat().st_mtime < source.stat().st_mtime:
            shutil.copy2(source, target)
    return output


def build() -> Path:
    vendor()
    return assemble()


if __name__ == "__main__":
    build()
