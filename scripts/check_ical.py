#!/usr/bin/env python3
"""Check an iCalendar (.ics) file the way a calendar client would read it.

Usage:
    python scripts/check_ical.py FILE.ics [--expect-events N]
                                 [--expect-local 2026-03-29T10:00 ...]

Parses FILE with the `icalendar` package (pinned in scripts/requirements-test.txt) and
fails on anything a strict client could trip over: bytes that are not UTF-8, lines not
ended by CRLF or longer than 75 octets, unbalanced BEGIN/END, properties the parser could
not read, a VEVENT without UID, DTSTAMP (in UTC), DTSTART and DTEND in Europe/Copenhagen,
and a VTIMEZONE for Europe/Copenhagen that disagrees with the tz database (Outlook reads
times through the VTIMEZONE, Google through the zone's name: both must give one answer).

Prints one line per VEVENT, in file order, on stdout:
    UID START_LOCAL START_UTC STATUS
e.g. "01J...@bisidder 2026-03-29T10:00:00+02:00 2026-03-29T08:00:00Z CONFIRMED".

--expect-events N   the file must hold exactly N VEVENTs.
--expect-local T    some event (a different one for each T given) starts at wall-clock
                    time T in Europe/Copenhagen; T is "YYYY-MM-DDTHH:MM[:SS]", or with
                    an offset ("...+02:00") to pin the offset too.

Exit status: 0 when all is well, 1 with "check_ical: FILE: problem" lines on stderr.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar.timezone import tzp

ZONE = "Europe/Copenhagen"
MAX_LINE_OCTETS = 75


class Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, message: str) -> None:
        self.items.append(message)


def check_raw_lines(data: bytes, problems: Problems) -> None:
    """RFC 5545 §3.1: CRLF line endings, at most 75 octets a line, UTF-8."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        problems.add(f"not UTF-8 at byte {err.start}")
    without_crlf = data.replace(b"\r\n", b"")
    bare_breaks = without_crlf.count(b"\n") + without_crlf.count(b"\r")
    if bare_breaks:
        problems.add(f"{bare_breaks} line break(s) are not CRLF")
        return
    if not data.endswith(b"\r\n"):
        problems.add("the last line does not end with CRLF")
    lines = data.split(b"\r\n")
    depth: list[bytes] = []
    for number, line in enumerate(lines[:-1], start=1):
        if len(line) > MAX_LINE_OCTETS:
            problems.add(f"line {number}: {len(line)} octets, more than 75")
        if line.upper().startswith(b"BEGIN:"):
            depth.append(line[6:].upper())
        elif line.upper().startswith(b"END:"):
            name = line[4:].upper()
            if not depth or depth.pop() != name:
                problems.add(
                    f"line {number}: END:{name.decode(errors='replace')} "
                    "does not close the open component"
                )
    if depth:
        problems.add(f"unclosed component(s): {[d.decode(errors='replace') for d in depth]}")


def parse(data: bytes, problems: Problems) -> Calendar | None:
    try:
        calendar = Calendar.from_ical(data)
    except ValueError as err:
        problems.add(f"icalendar cannot parse it: {err}")
        return None
    unreadable = [
        (component.name, prop, error)
        for component in calendar.walk()
        for prop, error in component.errors
    ]
    for name, prop, error in unreadable:
        problems.add(f"{name}: cannot read {prop or 'a line'}: {error}")
    if unreadable:
        return None
    if calendar.name != "VCALENDAR":
        problems.add(f"top component is {calendar.name}, not VCALENDAR")
    if str(calendar.get("VERSION", "")) != "2.0":
        problems.add("VCALENDAR lacks VERSION:2.0")
    if not calendar.get("PRODID"):
        problems.add("VCALENDAR lacks PRODID")
    return calendar


def vtimezone_zone(calendar: Calendar, problems: Problems):
    """The zone as the file's own VTIMEZONE defines it (how Outlook reads it)."""
    found = [tz for tz in calendar.walk("VTIMEZONE") if str(tz.get("TZID")) == ZONE]
    if len(found) != 1:
        problems.add(f"expected one VTIMEZONE with TZID {ZONE}, found {len(found)}")
        return None
    try:
        return found[0].to_tz(tzp, lookup_tzid=False)
    except Exception as err:  # noqa: BLE001 — any failure here means clients fail too
        problems.add(f"VTIMEZONE {ZONE} cannot be interpreted: {err}")
        return None


def compare_vtimezone(own_zone, years: set[int], problems: Problems) -> None:
    """The events' years (and the next): VTIMEZONE offset == tz database, every day at
    noon UTC and every hour of a day on which either of them changes offset."""
    tzdb = ZoneInfo(ZONE)

    def differs(at: datetime) -> bool:
        ours = at.astimezone(own_zone).utcoffset()
        theirs = at.astimezone(tzdb).utcoffset()
        if ours != theirs:
            problems.add(
                f"VTIMEZONE gives offset {ours} at {at:%Y-%m-%dT%H:%MZ}, the tz database {theirs}"
            )
        return ours != theirs

    def offsets(at: datetime) -> tuple:
        return at.astimezone(own_zone).utcoffset(), at.astimezone(tzdb).utcoffset()

    for year in sorted(years | {y + 1 for y in years}):
        noon = datetime(year, 1, 1, 12, tzinfo=UTC)
        while noon.year == year:
            if differs(noon):
                return
            before = noon - timedelta(days=1)
            if offsets(before) != offsets(noon):
                for hour in range(1, 24):
                    if differs(before + timedelta(hours=hour)):
                        return
            noon += timedelta(days=1)


def zoned_time(event, name: str, own_zone, problems: Problems, uid: str):
    prop = event.get(name)
    if prop is None:
        problems.add(f"{uid}: no {name}")
        return None
    value = prop.dt
    if prop.params.get("TZID") != ZONE or not isinstance(value, datetime):
        problems.add(f"{uid}: {name} is not a date-time with TZID={ZONE}")
        return None
    if own_zone is not None:
        wall = value.replace(tzinfo=None)
        via_vtimezone = wall.replace(tzinfo=own_zone).astimezone(UTC)
        if via_vtimezone != value.astimezone(UTC):
            problems.add(
                f"{uid}: {name} {wall} is {via_vtimezone} by the VTIMEZONE "
                f"but {value.astimezone(UTC)} by the tz database"
            )
    return value


def check_event(event, own_zone, problems: Problems) -> tuple[str, datetime, str] | None:
    uid = str(event.get("UID", "")).strip()
    if not uid:
        problems.add("a VEVENT has no UID")
        uid = "(no UID)"
    stamp = event.get("DTSTAMP")
    if stamp is None:
        problems.add(f"{uid}: no DTSTAMP")
    elif (
        not isinstance(stamp.dt, datetime)
        or stamp.dt.utcoffset() != timedelta(0)
        or "TZID" in stamp.params
    ):
        problems.add(f"{uid}: DTSTAMP is not in UTC")
    start = zoned_time(event, "DTSTART", own_zone, problems, uid)
    end = zoned_time(event, "DTEND", own_zone, problems, uid)
    if start is not None and end is not None and end <= start:
        problems.add(f"{uid}: DTEND is not after DTSTART")
    for alarm in event.walk("VALARM"):
        if "ACTION" not in alarm or "TRIGGER" not in alarm:
            problems.add(f"{uid}: VALARM without ACTION or TRIGGER")
        elif str(alarm["ACTION"]).upper() == "DISPLAY" and "DESCRIPTION" not in alarm:
            problems.add(f"{uid}: DISPLAY alarm without DESCRIPTION")
    if start is None:
        return None
    return uid, start, str(event.get("STATUS", "NONE")).upper()


def parse_expected(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(
            f"not a local time like 2026-03-29T10:00: {text!r}"
        ) from err


def matches(expected: datetime, start: datetime) -> bool:
    if expected.tzinfo is None:
        return start.replace(tzinfo=None) == expected
    # Compared in UTC: Python never finds a time in the repeated October hour equal to
    # one of another zone (PEP 495).
    same_instant = start.astimezone(UTC) == expected.astimezone(UTC)
    return same_instant and start.utcoffset() == expected.utcoffset()


def check_expectations(starts: list[datetime], args, problems: Problems) -> None:
    if args.expect_events is not None and len(starts) != args.expect_events:
        problems.add(f"expected {args.expect_events} events, found {len(starts)}")
    unmatched = list(starts)
    for expected in args.expect_local:
        hit = next((s for s in unmatched if matches(expected, s)), None)
        if hit is None:
            problems.add(
                f"no (further) event starts at {expected.isoformat()} local time; "
                f"starts are {[s.isoformat() for s in starts]}"
            )
        else:
            unmatched.remove(hit)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--expect-events", type=int)
    parser.add_argument(
        "--expect-local", type=parse_expected, nargs="+", action="extend", default=[]
    )
    args = parser.parse_args(argv)

    problems = Problems()
    try:
        data = args.file.read_bytes()
    except OSError as err:
        print(f"check_ical: {args.file}: cannot read: {err}", file=sys.stderr)
        return 1
    check_raw_lines(data, problems)
    calendar = parse(data, problems)
    rows = []
    if calendar is not None:
        own_zone = vtimezone_zone(calendar, problems)
        events = list(calendar.walk("VEVENT"))
        rows = [row for row in (check_event(e, own_zone, problems) for e in events) if row]
        uids = [uid for uid, _, _ in rows]
        if len(set(uids)) != len(uids):
            problems.add("UIDs are not unique")
        if own_zone is not None and rows:
            compare_vtimezone(own_zone, {start.year for _, start, _ in rows}, problems)
        check_expectations([start for _, start, _ in rows], args, problems)

    if problems.items:
        for message in problems.items:
            print(f"check_ical: {args.file}: {message}", file=sys.stderr)
        return 1
    for uid, start, status in rows:
        utc = start.astimezone(UTC)
        print(f"{uid} {start.isoformat()} {utc:%Y-%m-%dT%H:%M:%SZ} {status}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
