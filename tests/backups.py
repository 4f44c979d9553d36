"""Comparing backups across a restore, which makes the restoring keeper the owner
and names nobody else: what must come back is everything but who was who."""

from __future__ import annotations

import copy


def households_of(backup: dict) -> list[dict]:
    """A backup's households without their members and without who logged each record."""
    households = copy.deepcopy(backup["households"])
    for h in households:
        h.pop("members")
        for s in h["sessions"]:
            s.pop("keeper")
        for a in h["animals"]:
            for c in a["health_checks"]:
                c.pop("keeper")
            for st in a["cage_stays"]:
                st.pop("moved_by")
        for i in h["introductions"]:
            i.pop("created_by")
            for m in i["meetings"]:
                m.pop("keeper")
    return households


def probe_backup(
    *,
    members: dict[str, str],
    household_id: str = "probe-home",
    exported_at: str = "2026-01-10T12:00:00+00:00",
    version: int = 2,
) -> dict:
    """A small, valid backup of a new household whose members are `members` (username: role), as a
    security probe writes one: one rat, one session logged by the first member."""
    first = next(iter(members))
    joined = "2026-01-01T09:00:00+00:00"
    return {
        "format": "gentling-backup",
        "version": version,
        "exported_at": exported_at,
        "keepers": [
            {
                "username": name,
                "password": "pbkdf2_sha256$1000000$salt$planted",
                "email": f"{name}@evil.test",
                "date_joined": joined,
            }
            if version == 1
            else {"username": name}
            for name in members
        ],
        "households": [
            {
                "id": household_id,
                "name": "Probe home",
                "time_zone": "UTC",
                "created_at": joined,
                "members": [{"keeper": name, "role": role, "joined_at": joined} for name, role in members.items()],
                "cages": [],
                "litters": [],
                "introductions": [],
                "animals": [
                    {
                        "id": "probe-rat",
                        "name": "Probe",
                        "species": "rat",
                        "sex": "female",
                        "birth_date": None,
                        "birth_date_estimated": False,
                        "source": "breeder",
                        "arrival_date": "2026-01-01",
                        "cage": None,
                        "status": "active",
                        "extended_hold_opt_in": False,
                        "notes": "",
                        "created_at": joined,
                    }
                ],
                "sessions": [
                    {
                        "id": "probe-session",
                        "animal": "probe-rat",
                        "keeper": first,
                        "sitting": "probe-sitting",
                        "started_at": "2026-01-05T18:00:00+00:00",
                        "ended_at": "2026-01-05T18:05:00+00:00",
                        "day": "2026-01-05",
                        "activities": ["talked"],
                        "holds": [],
                        "observations": [],
                        "extended_hold_seconds": None,
                        "extended_hold_end": "",
                        "notes": "",
                        "alerts": [],
                        "created_at": "2026-01-05T18:05:00+00:00",
                    }
                ],
            }
        ],
    }


def deeply_nested(depth: int = 200_000) -> bytes:
    """About `depth` bytes of lists inside lists, where a backup's households go."""
    return b'{"format": "gentling-backup", "version": 2, "households": ' + b"[" * depth + b"]" * depth + b"}"
