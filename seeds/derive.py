#!/usr/bin/env python3
"""Derive AURA's valuation seed files from the shared Dubai market data.

Reads   <data>/community_reference.csv and <data>/dld_residential_sales.csv
Writes  communities.csv and transactions.csv next to this script.

<data> defaults to ../shared/data/dubai relative to the repository root (the parent of seeds/), i.e.
/work/shared/data/dubai when the repo is /work/main; pass another directory as the first argument.
Standard library only; re-runnable; output is deterministic (same input -> byte-identical output).
"""

import csv
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

# Prefixes in the reference file's free-text `aliases` column that only say where a spelling comes from.
SOURCE_PREFIX = re.compile(
    r"^(DLD spelling|DLD|DM/Pulse area|DM|Pulse master|Pulse)\s*:\s*", re.IGNORECASE
)


def clean(s):
    return re.sub(r"\s+", " ", s).strip()


def expand_slashes(text):
    """'Um Suqaim First/Second/Third' -> the three names; 'INTERNATIONAL CITY PH 1 / PH 2 & 3' -> two names."""
    parts = [clean(p) for p in text.split("/") if clean(p)]
    if len(parts) < 2:
        return parts
    first = parts[0]
    words = first.split(" ")
    out = [first]
    for p in parts[1:]:
        head = p.split(" ")[0]
        if head in words[1:]:
            # the part restates a trailing word of the first name: keep what precedes it
            out.append(" ".join(words[: words.index(head)] + [p]))
        elif " " not in p and len(words) > 1:
            # a bare suffix: replace the first name's last word
            out.append(" ".join(words[:-1] + [p]))
        else:
            out.append(p)
    return out


def split_aliases(name, free_text, dld_areas):
    """All names an agent or a DLD export may use for one community, de-duplicated case-insensitively."""
    out = []

    def add(a, keep_case_variant=False):
        a = clean(a).strip("'\"")
        if not a or a == name or (a.lower() == name.lower() and not keep_case_variant):
            return
        if (a not in out) if keep_case_variant else (a.lower() not in {x.lower() for x in out}):
            out.append(a)

    # "Jumeirah Village Circle (JVC)" -> "Jumeirah Village Circle" and "JVC"
    m = re.match(r"^(.*?)\s*\((.*)\)\s*$", name)
    if m:
        add(m.group(1))
        for part in re.split(r"[/,]", m.group(2)):
            add(part)
    # "Za'abeel / DIFC fringe" -> "Za'abeel"
    if " / " in name:
        add(name.split(" / ")[0])
    for chunk in free_text.split(";"):
        chunk = clean(chunk)
        # "DM: ..." names the parent municipal community, which holds several communities: not an alias
        if re.match(r"^DM\s*:", chunk):
            continue
        chunk = SOURCE_PREFIX.sub("", chunk)
        # notes in parentheses ("(old name)", "(also MEYDAN AVENUE)") are not names
        chunk = re.sub(r"\([^)]*\)", "", chunk)
        if chunk.lower().startswith(("in ", "inside ")) or "registry" in chunk.lower():
            continue
        for part in chunk.split(","):
            part = clean(part).strip("'")
            if part.lower().startswith(("by ", "in ", "inside ")):
                continue
            for a in expand_slashes(part):
                add(a)
    for a in dld_areas:
        add(a, keep_case_variant=True)  # DLD spellings are listed even when only the case differs
    return out


def derive_communities(data_dir):
    rows = []
    with open(os.path.join(data_dir, "community_reference.csv"), newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            name = clean(r["community"])
            dld = []
            for a in r["dld_area_aliases"].split("|"):
                if clean(a) and clean(a).lower() not in {d.lower() for d in dld}:
                    dld.append(clean(a))
            rows.append(
                {
                    "name": name,
                    "aliases": "; ".join(split_aliases(name, r["aliases"], dld)),
                    "dld_area_aliases": "; ".join(dld),
                    "lat": r["lat"],
                    "lon": r["lon"],
                    "coord_source": clean(r["coord_source"]),
                    "parent_area": clean(r["dm_parent_community"]),
                }
            )
    return rows


def fmt_num(s):
    """'784463.0' -> '784463'; keeps decimals that carry information."""
    v = float(s)
    return str(int(v)) if v == int(v) else repr(round(v, 2))


def derive_transactions(data_dir):
    rows, seen = [], {}
    with open(os.path.join(data_dir, "dld_residential_sales.csv"), newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            tid = r["txn_id"]
            # one id appears twice (the same 2012 sale in two upstream samples); keep both rows, unique ids
            seen[tid] = seen.get(tid, 0) + 1
            if seen[tid] > 1:
                tid = f"{tid}#{seen[tid]}"
            rows.append(
                {
                    "txn_id": tid,
                    "date": r["date"],
                    "community": clean(r["community"]),
                    "building": clean(r["project"]),
                    "property_type": r["ptype"],
                    "bedrooms": r["bedrooms"].split(".")[0] if r["bedrooms"] else "",
                    "size_sqft": fmt_num(r["size_sqft"]),
                    "price_aed": fmt_num(r["price_aed"]),
                    "offplan": "true" if r["offplan"] == "True" else "false",
                    "bulk": "true" if r["bulk_same_day_psf"] == "True" else "false",
                }
            )
    rows.sort(key=lambda x: (x["date"], x["txn_id"]))
    return rows


def write(path, rows, fields):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def main():
    data_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "..", "shared", "data", "dubai")
    data_dir = os.path.normpath(data_dir)
    comms = derive_communities(data_dir)
    txns = derive_transactions(data_dir)
    write(
        os.path.join(HERE, "communities.csv"),
        comms,
        ["name", "aliases", "dld_area_aliases", "lat", "lon", "coord_source", "parent_area"],
    )
    write(
        os.path.join(HERE, "transactions.csv"),
        txns,
        ["txn_id", "date", "community", "building", "property_type", "bedrooms", "size_sqft", "price_aed",
         "offplan", "bulk"],
    )
    print(f"communities.csv: {len(comms)} rows; transactions.csv: {len(txns)} rows "
          f"({sum(t['bulk'] == 'true' for t in txns)} flagged bulk) from {data_dir}")


if __name__ == "__main__":
    main()
