"""Reminders: your settings (`gentling reminders`) and sending what is due (`gentling remind`)."""

from __future__ import annotations


def add_commands(sub, common) -> None:
    r = sub.add_parser(
        "reminders",
        parents=[common],
        help="show or change your daily reminder for a household (time, email or push, which animals)",
    )
    r.add_argument("--at", metavar="HH:MM", help="the time, in your time zone, e.g. 18:30")
    r.add_argument("--by", choices=["email", "push", "both", "none"], help="how to be reminded")
    r.add_argument("--about", choices=["all", "mine"], help="every animal, or only those you care for")
    r.add_argument("--cares-for", metavar="ANIMAL", nargs="+", help="the animals you care for (names or ids)")
    r.add_argument("--time-zone", metavar="ZONE", help="your time zone, e.g. Europe/London ('' for the household's)")
    r.add_argument("--email", metavar="ADDRESS", help="where reminder emails go")
    r.set_defaults(handler=cmd_reminders)

    remind = sub.add_parser(
        "remind",
        parents=[common],
        help="send the reminders that are due now, once each (safe to run every few minutes from cron)",
    )
    remind.set_defaults(handler=cmd_remind)


def cmd_reminders(args, ctx) -> int:
    from ..services.households import household_for
    from ..services.reminders import ReminderChoice, reminders_of, set_reminders

    household = household_for(ctx.keeper, args.household)
    choice = ReminderChoice(
        remind_at=args.at,
        channel=args.by,
        scope=args.about,
        time_zone=args.time_zone,
        cares_for=args.cares_for,
        email=args.email,
    )
    changing = any(v is not None for v in vars(choice).values())
    r = (
        set_reminders(keeper=ctx.keeper, household=household, choice=choice)
        if changing
        else reminders_of(ctx.keeper, household)
    )
    data = {
        "household": household.name,
        "at": f"{r.remind_at:%H:%M}",
        "by": r.channel,
        "about": r.scope,
        "cares_for": sorted(a.name for a in r.cares_for.all()),
        "time_zone": r.time_zone or household.time_zone,
        "email": ctx.keeper.email,
    }
    if ctx.out.json_mode:
        ctx.out.json(data)
        return 0
    ctx.out.say(("Saved. " if changing else "") + f"Reminders for {household.name}:", style="bold")
    if r.channel == "none":
        ctx.out.say("  none (choose with --by email, push or both)")
    else:
        ctx.out.say(f"  {r.get_channel_display()} every day at {data['at']} ({data['time_zone']})")
        about = "every animal" if r.scope == "all" else "only " + (", ".join(data["cares_for"]) or "(none ticked)")
        ctx.out.say(f"  about {about}")
    return 0


def cmd_remind(args, ctx) -> int:
    from ..services.day_start import start_days
    from ..services.reminders import send_due

    report = send_due(ctx.now)
    started = start_days(ctx.now)
    if ctx.out.json_mode:
        ctx.out.json(
            {"sent": report.sent, "already_sent": report.already, "failed": report.failed, "days_started": started}
        )
    else:
        ctx.out.say(f"Reminders: {report.sent} sent, {report.already} already sent, {report.failed} failed.")
        if started:
            ctx.out.say(f"A new day: {started} animals' progress brought up to yesterday, ahead of Today.")
    return 3 if report.failed else 0  # 3: try again later, as for a database that cannot answer
