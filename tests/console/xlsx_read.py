#!/usr/bin/env python3
"""xlsx_read.py FILE: print the first sheet of an xlsx workbook as JSON,
{"headers": [...], "rows": [[{"t": TYPE, "v": VALUE}, ...], ...]}, where
TYPE is "text" (shared or inline string), "date" (a number whose style's
number format is a date or time), "number", "bool" or "empty". A reader of
its own (zipfile + XML), so the test checks what Excel would see, not what
our writer meant to write."""
import json
import re
import sys
import zipfile
import xml.etree.ElementTree as ET

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
BUILTIN_DATES = set(range(14, 23)) | set(range(45, 48))


def col_index(ref):
    n = 0
    for ch in re.match(r"[A-Z]+", ref).group(0):
        n = n * 26 + ord(ch) - 64
    return n - 1


def date_styles(z):
    st = ET.fromstring(z.read("xl/styles.xml"))
    fmts = {int(f.get("numFmtId")): f.get("formatCode")
            for f in st.findall("m:numFmts/m:numFmt", NS)}
    out = set()
    for i, xf in enumerate(st.findall("m:cellXfs/m:xf", NS)):
        fid = int(xf.get("numFmtId", "0"))
        code = fmts.get(fid, "")
        plain = re.sub(r'"[^"]*"|\[[^\]]*\]', "", code).lower()
        if fid in BUILTIN_DATES or re.search(r"[yd]|hh|ss", plain):
            out.add(i)
    return out


def main(path):
    z = zipfile.ZipFile(path)
    shared = []
    if "xl/sharedStrings.xml" in z.namelist():
        for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", NS):
            shared.append("".join(t.text or "" for t in si.iter(
                "{%s}t" % NS["m"])))
    dates = date_styles(z)
    sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
    table = []
    for row in sheet.findall("m:sheetData/m:row", NS):
        cells = []
        for c in row.findall("m:c", NS):
            i = col_index(c.get("r"))
            while len(cells) < i:
                cells.append({"t": "empty", "v": None})
            t, v = c.get("t"), c.find("m:v", NS)
            if t == "s":
                cells.append({"t": "text", "v": shared[int(v.text)]})
            elif t == "inlineStr":
                cells.append({"t": "text", "v": "".join(
                    x.text or "" for x in c.iter("{%s}t" % NS["m"]))})
            elif t == "b":
                cells.append({"t": "bool", "v": v.text == "1"})
            elif v is None:
                cells.append({"t": "empty", "v": None})
            elif int(c.get("s", "0")) in dates:
                cells.append({"t": "date", "v": float(v.text)})
            else:
                cells.append({"t": "number", "v": float(v.text)})
        table.append(cells)
    frozen = sheet.find("m:sheetViews/m:sheetView/m:pane", NS)
    print(json.dumps({
        "headers": [c["v"] for c in table[0]] if table else [],
        "rows": table[1:],
        "frozen": frozen is not None and frozen.get("state") == "frozen",
    }, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1])
