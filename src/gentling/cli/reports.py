"""`gentling report ANIMAL`: the handover report, as HTML or PDF."""

from __future__ import annotations

from pathlib import Path


def add_commands(sub, common) -> None:
    p = sub.add_parser(
        "report",
        parents=[common],
        help="an animal's handover report (HTML, or PDF with --pdf)",
        description="The adoption / handover report of one animal: profile, ladder, likes, charts, quarantine, "
        "introductions and first-days advice. Example: gentling report Ghost --pdf ghost.pdf",
    )
    p.add_argument("animal", help="name or id")
    p.add_argument("--pdf", type=Path, metavar="FILE", help="write a PDF here")
    p.add_argument("--html", type=Path, metavar="FILE", help="write the HTML here (default: print it, unless --pdf)")
    p.add_argument("--paper", choices=["a4", "letter"], default="a4", help="paper size (default a4)")
    p.set_defaults(handler=cmd_report)


def cmd_report(args, ctx) -> int:
    from ..services.households import animal_for, household_for
    from ..services.report import PAPERS, handover_report, report_html, report_pdf

    household = household_for(ctx.keeper, args.household)
    animal = animal_for(ctx.keeper, household, args.animal)
    html = report_html(handover_report(animal, ctx.now), paper=args.paper)
    result = {"animal": animal.name, "file": None, "pages": None}
    if args.pdf:
        pdf = report_pdf(html)  # PdfUnavailable is a GentlingError: message and exit 1
        _write(args.pdf, pdf.data, "pdf")
        result.update(file=str(args.pdf), pages=pdf.pages)
    if args.html:
        _write(args.html, html.encode("utf-8"), "html")
        result["html_file"] = str(args.html)
        result["file"] = result["file"] or str(args.html)
    if not args.pdf and not args.html:
        if ctx.out.json_mode:
            ctx.out.json({**result, "html": html})
        else:
            ctx.out.stream.write(html)
        return 0
    if ctx.out.json_mode:
        ctx.out.json(result)
    else:
        written = (
            [f"{args.pdf} ({pdf.pages} page{'s' if pdf.pages != 1 else ''}, {PAPERS[args.paper]})"] if args.pdf else []
        )
        written += [str(args.html)] if args.html else []
        ctx.out.say(f"{animal.name}'s handover report: {', '.join(written)}", style="bold green")
    return 0


def _write(path: Path, data: bytes, field: str) -> None:
    from ..domain.errors import InvalidInput

    try:
        path.write_bytes(data)
    except OSError as exc:
        raise InvalidInput(field, f"Cannot write {path}: {exc.strerror or exc}.") from None
