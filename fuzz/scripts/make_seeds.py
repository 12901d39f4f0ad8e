#!/usr/bin/env python3
"""Writes the seed inputs of the table, study, geojson and wkb targets into fuzz/corpus/<target>/
from the samples in data/ (the pbf seeds come from cut_pbf.py). Run from the repository root."""
import io, os, re, struct, zipfile

ROOT = os.getcwd()
SEEDS = os.path.join(ROOT, "fuzz", "corpus")


def put(target, name, data):
    d = os.path.join(SEEDS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def head(path, n):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return "".join(f.readlines()[:n])


# The table target's first byte: extension in bits 0-2 (csv, tsv, txt, xlsx, xlsm, xls, ods),
# requested encoding in bits 3-4 (auto, utf-8, gb18030).
CSV, TSV, TXT, XLSX, ODS = 0, 1, 2, 3, 6
UTF8, GB = 1 << 3, 2 << 3

hex_csv = head("data/sao-paulo/spo_hexgrid.csv", 12)
gz_csv = head("data/guangzhou/subdistricts.csv", 12)
facilities = ("编号,名称,类别,经度,纬度,容量\n"
              "c1,社区卫生服务中心,clinic,113.2644,23.1291,30\n"
              "e1,颐康中心,elderly_care,113.2700,23.1300,\n"
              "k1,幼儿园,childcare,113.2601,23.1250,120\n")
put("table", "hexgrid.csv", bytes([CSV]) + hex_csv.encode())
put("table", "subdistricts-utf8.csv", bytes([CSV | UTF8]) + ("\ufeff" + gz_csv).encode())
put("table", "facilities-gbk.csv", bytes([CSV | GB]) + facilities.encode("gbk"))
put("table", "facilities-auto-gbk.csv", bytes([CSV]) + facilities.encode("gbk"))
put("table", "facilities.tsv", bytes([TSV]) + facilities.replace(",", "\t").encode())
put("table", "facilities-semicolon.txt", bytes([TXT]) + facilities.replace(",", ";").encode())


def xlsx(rows):
    shared, cells = [], []
    for r, row in enumerate(rows, 1):
        cs = []
        for c, v in enumerate(row):
            ref = chr(65 + c) + str(r)
            try:
                float(v)
                cs.append(f'<c r="{ref}"><v>{v}</v></c>')
            except ValueError:
                shared.append(v)
                cs.append(f'<c r="{ref}" t="s"><v>{len(shared) - 1}</v></c>')
        cells.append(f'<row r="{r}">{"".join(cs)}</row>')
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                   '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                   '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                   '</Types>')
        z.writestr("_rels/.rels",
                   f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml",
                   f'<?xml version="1.0" encoding="UTF-8"?><workbook {ns} xmlns:r="{rel}"><sheets>'
                   '<sheet name="设施" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels",
                   f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
                   f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml",
                   f'<?xml version="1.0" encoding="UTF-8"?><worksheet {ns}><sheetData>{"".join(cells)}</sheetData></worksheet>')
        z.writestr("xl/sharedStrings.xml",
                   f'<?xml version="1.0" encoding="UTF-8"?><sst {ns} count="{len(shared)}" uniqueCount="{len(shared)}">'
                   + "".join(f"<si><t>{s}</t></si>" for s in shared) + "</sst>")
    return b.getvalue()


def ods(rows):
    cells = []
    for row in rows:
        cs = []
        for v in row:
            try:
                float(v)
                cs.append(f'<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p></table:table-cell>')
            except ValueError:
                cs.append(f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>')
        cells.append(f'<table:table-row>{"".join(cs)}</table:table-row>')
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               '<office:body><office:spreadsheet><table:table table:name="Sheet1">'
               + "".join(cells) + "</table:table></office:spreadsheet></office:body></office:document-content>")
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return b.getvalue()


rows = [r.split(",") for r in facilities.strip().split("\n")]
hex_rows = [[c.strip('"') for c in r.split(",")] for r in hex_csv.strip().split("\n")]
put("table", "facilities.xlsx", bytes([XLSX]) + xlsx(rows))
put("table", "hexgrid.xlsx", bytes([XLSX]) + xlsx(hex_rows))
put("table", "facilities.ods", bytes([ODS]) + ods(rows))

# Study files: input paths replaced by "." (the fuzz target reads the study as if it lay in /,
# where "." exists), so that seeds pass the path checks and reach the rest of the validation.
study = open(os.path.join(ROOT, "data/liechtenstein/study.toml"), encoding="utf-8").read()
study = re.sub(r'"[^"]*\.(pbf|toml|csv|shp|gpkg|tif)"', '"."', study)
put("study", "liechtenstein.toml", study)
put("study", "categories.toml", open(os.path.join(ROOT, "data/liechtenstein/categories.toml"), "rb").read())
put("study", "minimal.toml", '[network]\nfile = "."\n[facilities]\nosm = "."\n[demand]\nosm_buildings = "."\n[output]\nfolder = "out"\n')
put("study", "access.toml", '[network]\nfile = "."\n[facilities]\nosm = "."\n[demand]\nosm_buildings = "."\n'
    '[output]\nfolder = "out"\n[access]\ncategories = ["clinic"]\ndecay = "weights"\nweights = [[5, 1.0], [10, 0.5]]\n')

# GeoJSON layers of facilities and demand.
put("geojson", "facilities.geojson", '{"type":"FeatureCollection","features":['
    '{"type":"Feature","properties":{"id":"c1","name":"社区卫生服务中心","category":"clinic","capacity":30},'
    '"geometry":{"type":"Point","coordinates":[113.2644,23.1291]}},'
    '{"type":"Feature","properties":{"id":"e1","name":"颐康中心","category":"elderly_care"},'
    '"geometry":{"type":"Polygon","coordinates":[[[113.27,23.13],[113.271,23.13],[113.271,23.131],[113.27,23.131],[113.27,23.13]]]}},'
    '{"type":"Feature","properties":{"id":"k1","category":"childcare"},'
    '"geometry":{"type":"MultiPoint","coordinates":[[113.26,23.125],[113.261,23.126]]}}]}')
put("geojson", "demand.geojson", '{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}},"features":['
    '{"type":"Feature","properties":{"id":"h1","population":120},"geometry":{"type":"Point","coordinates":[-46.6079,-23.5710]}},'
    '{"type":"Feature","properties":{"id":"h2","pop":80.5},"geometry":{"type":"MultiPolygon","coordinates":[[[[-46.61,-23.57],[-46.60,-23.57],[-46.60,-23.56],[-46.61,-23.57]],'
    '[[-46.607,-23.568],[-46.606,-23.568],[-46.606,-23.567],[-46.607,-23.568]]]]}},'
    '{"type":"Feature","properties":{"id":"h3","population":null},"geometry":null}]}')
put("geojson", "lines.geojson", '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"category":"clinic"},'
    '"geometry":{"type":"LineString","coordinates":[[9.52,47.14],[9.53,47.15]]}},'
    '{"type":"Feature","properties":{"category":"school"},"geometry":{"type":"GeometryCollection","geometries":['
    '{"type":"Point","coordinates":[9.5,47.1]},{"type":"MultiLineString","coordinates":[[[9.5,47.1],[9.6,47.2]]]}]}}]}')


# WKB, EWKB and GeoPackage blobs.
def wkb(ty, body, be=False):
    return (b"\x00" if be else b"\x01") + struct.pack(">I" if be else "<I", ty) + body


def pts(ps, be=False):
    f = ">" if be else "<"
    return b"".join(struct.pack(f + "dd", *p) for p in ps)


def n(k, be=False):
    return struct.pack(">I" if be else "<I", k)


ring = [(0, 0), (0, 1), (1, 1), (1, 0), (0, 0)]
hole = [(0.2, 0.2), (0.4, 0.2), (0.4, 0.4), (0.2, 0.2)]
point = wkb(1, pts([(113.26, 23.13)]))
line = wkb(2, n(3) + pts([(0, 0), (1, 1), (2, 0)]))
poly = wkb(3, n(2) + n(5) + pts(ring) + n(4) + pts(hole))
put("wkb", "point.wkb", point)
put("wkb", "point-be.wkb", wkb(1, pts([(113.26, 23.13)], True), True))
put("wkb", "linestring.wkb", line)
put("wkb", "polygon-hole.wkb", poly)
put("wkb", "multipoint.wkb", wkb(4, n(2) + point + wkb(1, pts([(1, 2)]))))
put("wkb", "multilinestring.wkb", wkb(5, n(1) + line))
put("wkb", "multipolygon.wkb", wkb(6, n(2) + poly + wkb(3, n(1) + n(5) + pts([(5, 5), (5, 6), (6, 6), (6, 5), (5, 5)]))))
put("wkb", "collection.wkb", wkb(7, n(3) + point + line + poly))
put("wkb", "point-z-iso.wkb", wkb(1001, struct.pack("<ddd", 1, 2, 3)))
put("wkb", "ewkb-srid-z.wkb", wkb(0x20000001 | 0x80000000, struct.pack("<I", 4326) + struct.pack("<ddd", 1, 2, 3)))
put("wkb", "empty-point.wkb", wkb(1, struct.pack("<dd", float("nan"), float("nan"))))


def gpkg(geom, flags_env=0, env=b"", empty=False, srs=4326):
    flags = 1 | (flags_env << 1) | (0x10 if empty else 0)
    return b"GP\x00" + bytes([flags]) + struct.pack("<i", srs) + env + geom


put("wkb", "gpkg-point.gpkg", gpkg(point))
put("wkb", "gpkg-polygon-envelope.gpkg", gpkg(poly, 1, struct.pack("<4d", 0, 1, 0, 1)))
put("wkb", "gpkg-empty.gpkg", gpkg(wkb(3, n(0)), 0, b"", True))
put("wkb", "gpkg-multipolygon-xyz-envelope.gpkg", gpkg(wkb(6, n(1) + poly), 2, struct.pack("<6d", 0, 1, 0, 1, 0, 0)))
