"""Baseline for scripts/bench-solution.sh: the same fields `ferry solution inspect --json`
reports, read the obvious Python way (zipfile + ElementTree), printed as JSON.

Usage: python3 scripts/bench_solution_baseline.py PATH   (a solution .zip or source folder)
"""
import json
import os
import sys
import zipfile
import xml.etree.ElementTree as ET


def open_package(path):
    """Returns a function name -> bytes (or None) and the list of entry names."""
    if os.path.isdir(path):
        files = {}
        for root, _dirs, names in os.walk(path):
            for n in names:
                full = os.path.join(root, n)
                files[os.path.relpath(full, path).replace(os.sep, "/").lower()] = full
        prefix = "src/" if any(k.startswith("src/other/") for k in files) else ""

        def read(name):
            full = files.get((prefix + name).lower())
            if full is None and name.lower() == "solution.xml":
                full = files.get(prefix + "other/solution.xml")
            if full is None and name.lower() == "customizations.xml":
                full = files.get(prefix + "other/customizations.xml")
            if full is None:
                return None
            with open(full, "rb") as f:
                return f.read()

        return read, [k[len(prefix):] for k in files if k.startswith(prefix)]
    z = zipfile.ZipFile(path)
    names = {n.lower(): n for n in z.namelist()}

    def read(name):
        real = names.get(name.lower())
        return z.read(real) if real else None

    return read, list(names)


def text(el, path):
    found = el.find(path)
    return found.text if found is not None else None


def main(path):
    read, names = open_package(path)
    manifest = ET.fromstring(read("solution.xml"))
    sm = manifest.find("SolutionManifest")
    names_el = sm.find("LocalizedNames")
    publisher = sm.find("Publisher")
    out = {
        "uniqueName": text(sm, "UniqueName"),
        "displayName": names_el[0].get("description") if names_el is not None and len(names_el) else None,
        "version": text(sm, "Version"),
        "managed": text(sm, "Managed"),
        "publisher": {
            "uniqueName": text(publisher, "UniqueName"),
            "prefix": text(publisher, "CustomizationPrefix"),
            "optionValuePrefix": text(publisher, "CustomizationOptionValuePrefix"),
        },
        "rootComponents": [dict(rc.attrib) for rc in sm.iter("RootComponent")],
        "missingDependencies": [
            {
                "required": dict(md.find("Required").attrib) if md.find("Required") is not None else {},
                "dependent": dict(md.find("Dependent").attrib) if md.find("Dependent") is not None else {},
            }
            for md in sm.iter("MissingDependency")
        ],
    }
    custom = read("customizations.xml")
    refs = []
    if custom:
        root = ET.fromstring(custom)
        for cr in root.iter("connectionreference"):
            refs.append({
                "logicalName": cr.get("connectionreferencelogicalname"),
                "connectorId": text(cr, "connectorid"),
                "displayName": text(cr, "connectionreferencedisplayname"),
            })
    out["connectionReferences"] = refs
    variables = []
    for name in sorted(names):
        if name.startswith("environmentvariabledefinitions/") and name.endswith("environmentvariabledefinition.xml"):
            d = ET.fromstring(read(name))
            variables.append({
                "schemaName": d.get("schemaname"),
                "type": text(d, "type"),
                "defaultValue": text(d, "defaultvalue"),
                "required": text(d, "isrequired"),
            })
    out["environmentVariables"] = variables
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
