"""Fill an ephios database with data comparable to Bisidder's web benchmark.

Run by bench/ephios.sh with the ephios venv's python and ENV_PATH set, after
`python -m ephios migrate`. Writes through the Django ORM (bulk_create; the
multi-table LocalParticipation rows by one executemany) in one transaction and
writes one JSON object (--out) with what the load generator needs (ids, logins).

What it makes (deterministic by --seed):
  * 5 organisations, each a "Volunteers" and a "Planners" group (ephios has no
    tenant; groups and per-event object permissions are how it separates units),
    plus a "Managers" group that may see every user profile;
  * 3,000 volunteers (600 per organisation), argon2 password hashes;
  * one planner (in every Planners group and Managers: sees and may change every
    event, may create events, may see the user directory) and one volunteer of
    organisation 1 who signs up for shifts during the benchmark;
  * 10,000 events over two years (21 months back, 3 months ahead), 1-2 shifts
    each, view permission for the organisation's groups, change permission for its
    planners; confirmed participations (2-5 per past shift, 0-3 per future one);
  * --fresh-shifts more shifts, in future events of organisation 1 at
    non-overlapping times, that nobody has signed up for: each accept-offer request
    signs the benchmark volunteer up for one of them.
"""

import argparse
import json
import os
import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import django

FIRST = (
    "Anna Mette Sofie Ida Freja Emma Karen Lone Hanne Maja Clara Laura Signe Julie Astrid "
    "Lars Jens Peter Mads Søren Niels Henrik Anders Rasmus Mikkel Frederik Oliver Emil Jonas Kasper"
).split()
LAST = (
    "Jensen Nielsen Hansen Pedersen Andersen Christensen Larsen Sørensen Rasmussen Jørgensen "
    "Petersen Madsen Kristensen Olsen Thomsen Christiansen Poulsen Johansen Møller Mortensen"
).split()
TOWNS = (
    "Aarhus Odense Aalborg Esbjerg Randers Kolding Horsens Vejle Roskilde Herning Silkeborg "
    "Næstved Fredericia Viborg Køge Holstebro Slagelse Svendborg Hillerød Sønderborg"
).split()
KINDS = (
    "Sanitetsvagt koncert|Sanitetsvagt fodboldkamp|Førstehjælpskursus|Byfest|Motionsløb|"
    "Besøgstjeneste|Juletræsfest|Festival|Vagt på plejehjem|Indsamling"
).split("|")

ORGS = 5
TZ = ZoneInfo("Europe/Copenhagen")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, default=3000)
    ap.add_argument("--events", type=int, default=10000)
    ap.add_argument("--fresh-shifts", type=int, default=4000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--password", required=True)
    ap.add_argument("--out", required=True, help="where the JSON goes")
    args = ap.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ephios.settings")
    django.setup()

    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.utils import timezone
    from guardian.models import GroupObjectPermission
    from guardian.shortcuts import assign_perm

    from ephios.core.models import (
        AbstractParticipation,
        Event,
        EventType,
        LocalParticipation,
        Shift,
        UserProfile,
    )

    rng = random.Random(args.seed)
    now = timezone.now().astimezone(TZ).replace(minute=0, second=0, microsecond=0)
    password = make_password(args.password)  # argon2, once: every user gets the same hash
    confirmed = AbstractParticipation.States.CONFIRMED
    out = {}

    with transaction.atomic():
        # ---- groups and global permissions (as ephios's own devdata command does)
        volunteers = [Group.objects.create(name=f"Organisation {o + 1} Volunteers") for o in range(ORGS)]
        planners = [Group.objects.create(name=f"Organisation {o + 1} Planners") for o in range(ORGS)]
        managers = Group.objects.create(name="Managers")
        for o in range(ORGS):
            assign_perm("publish_event_for_group", planners[o], volunteers[o])
            assign_perm("core.add_event", planners[o])
            assign_perm("core.delete_event", planners[o])
        for perm in ("core.view_userprofile", "core.add_userprofile", "core.change_userprofile",
                     "auth.view_group"):
            assign_perm(perm, managers)
        types = [EventType.objects.create(title=t) for t in ("Vagt", "Kursus", "Arrangement")]

        # ---- users
        dob = lambda: datetime(rng.randint(1950, 2005), rng.randint(1, 12), rng.randint(1, 28)).date()  # noqa: E731
        users = []
        for i in range(args.users):
            users.append(UserProfile(
                email=f"volunteer{i}@bench.example",
                display_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                date_of_birth=dob(),
                phone=f"+45 {rng.randint(20000000, 99999999)}",
                password=password,
            ))
        planner = UserProfile(email="planner@bench.example", display_name="Planner Benchmark",
                              date_of_birth=dob(), password=password)
        users = UserProfile.objects.bulk_create(users + [planner])
        planner = users.pop()
        members = Group.user_set.through
        rows = [members(userprofile_id=u.id, group_id=volunteers[i % ORGS].id) for i, u in enumerate(users)]
        rows += [members(userprofile_id=planner.id, group_id=g.id) for g in planners + [managers]]
        rows += [members(userprofile_id=planner.id, group_id=volunteers[0].id)]
        members.objects.bulk_create(rows)
        org_users = [[u for i, u in enumerate(users) if i % ORGS == o] for o in range(ORGS)]
        volunteer = org_users[0][0]  # signs up for the fresh shifts

        # ---- events and shifts
        start = now - timedelta(days=640)
        span_h = (640 + 90) * 24
        events, shift_specs = [], []
        for e in range(args.events):
            org = e % ORGS
            t0 = start + timedelta(hours=rng.randrange(span_h))
            t0 = t0.replace(hour=rng.choice((8, 10, 13, 16, 18)))
            events.append(Event(
                title=f"{rng.choice(KINDS)} {rng.choice(TOWNS)} {e}",
                description=f"Kontakt: {rng.choice(FIRST)} {rng.choice(LAST)}. Mødested ved indgangen.",
                location=f"{rng.choice(TOWNS)}, {rng.choice(LAST)}s Plads {rng.randint(1, 60)}",
                type=rng.choice(types),
                active=True,
            ))
            for s in range(1 if rng.random() < 0.8 else 2):
                st = t0 + timedelta(hours=5 * s)
                shift_specs.append((e, org, st, st + timedelta(hours=rng.choice((3, 4, 5)))))
        # organisation 1's fresh shifts: ten per event, one an hour, 200 days ahead on
        fresh_events = (args.fresh_shifts + 9) // 10
        t_fresh = now + timedelta(days=200)
        for f in range(fresh_events):
            e = len(events)
            events.append(Event(title=f"Vagtplan uge {f}", description="Ledige vagter.",
                                location=rng.choice(TOWNS), type=types[0], active=True))
            for s in range(10):
                if f * 10 + s < args.fresh_shifts:
                    st = t_fresh + timedelta(hours=f * 10 + s)
                    shift_specs.append((e, 0, st, st + timedelta(minutes=45), "fresh"))
        events = Event.objects.bulk_create(events)

        shifts = []
        for spec in shift_specs:
            e, org, st, en = spec[:4]
            shifts.append(Shift(
                event=events[e], meeting_time=st - timedelta(minutes=30), start_time=st,
                end_time=en, signup_flow_slug="instant_confirmation",
                signup_flow_configuration={}, structure_slug="uniform",
                structure_configuration={},
            ))
        shifts = Shift.objects.bulk_create(shifts, batch_size=2000)

        # ---- object permissions (guardian), as the event form would set them
        ct = ContentType.objects.get_for_model(Event)
        view = Permission.objects.get(content_type=ct, codename="view_event")
        change = Permission.objects.get(content_type=ct, codename="change_event")
        perms = []
        event_org = {}
        for spec in shift_specs:
            event_org[spec[0]] = spec[1]
        for e, ev in enumerate(events):
            org = event_org.get(e, 0)
            for group, perm in ((volunteers[org], view), (planners[org], view), (planners[org], change)):
                perms.append(GroupObjectPermission(group=group, permission=perm, content_type=ct,
                                                   object_pk=str(ev.pk)))
        GroupObjectPermission.objects.bulk_create(perms, batch_size=5000)

        # ---- participations (multi-table: the parent rows by bulk_create, the child rows by SQL)
        lp_ct = ContentType.objects.get_for_model(LocalParticipation)
        parts, part_users = [], []
        fresh_ids = []
        for spec, shift in zip(shift_specs, shifts):
            if len(spec) == 5:
                fresh_ids.append(shift.pk)
                continue
            org = spec[1]
            n = rng.randint(2, 5) if spec[2] < now else rng.randint(0, 3)
            for u in rng.sample(org_users[org], n):
                if u.id == volunteer.id:
                    continue
                parts.append(AbstractParticipation(shift=shift, state=confirmed, polymorphic_ctype=lp_ct,
                                                   finished=spec[3] < now))
                part_users.append(u.id)
        # the planner's own upcoming duties (the dashboard lists them)
        upcoming = [sh for spec, sh in zip(shift_specs, shifts) if len(spec) == 4 and spec[2] > now]
        for sh in rng.sample(upcoming, min(12, len(upcoming))):
            parts.append(AbstractParticipation(shift=sh, state=confirmed, polymorphic_ctype=lp_ct))
            part_users.append(planner.id)
        parts = AbstractParticipation.objects.bulk_create(parts, batch_size=5000)
        with connection.cursor() as cur:
            cur.executemany(
                "INSERT INTO localparticipation (abstractparticipation_ptr_id, user_id) VALUES (%s, %s)",
                [(p.pk, u) for p, u in zip(parts, part_users)],
            )

        # ---- the case page: an upcoming event of organisation 1 with two shifts and people on them
        counts = {}
        for p in parts:
            counts[p.shift.event_id] = counts.get(p.shift.event_id, 0) + 1
        case = None
        for spec in shift_specs:
            e, org, st = spec[:3]
            ev = events[e]
            if len(spec) == 4 and org == 0 and st > now + timedelta(days=2) and counts.get(ev.pk, 0) >= 4:
                if sum(1 for s in shift_specs if s[0] == e) == 2:
                    case = ev
                    break
        case = case or events[0]

    with connection.cursor() as cur:
        cur.execute("ANALYZE")

    out.update({
        "users": UserProfile.objects.count(),
        "groups": Group.objects.count(),
        "events": Event.all_objects.count(),
        "shifts": Shift.objects.count(),
        "participations": AbstractParticipation.objects.count(),
        "object_permissions": GroupObjectPermission.objects.count(),
        "planner": planner.email,
        "volunteer": volunteer.email,
        "volunteer_id": volunteer.id,
        "event_type": types[0].pk,
        "case_event": case.pk,
        "case_path": case.get_absolute_url(),
        "case_title": case.title,
        "fresh_shift_ids": fresh_ids,
        "search_group": volunteers[0].pk,
        "search_query": "Jensen",
    })
    with open(args.out, "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
