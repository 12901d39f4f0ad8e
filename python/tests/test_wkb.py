"""The extension's WKB writer and reader against shapely (GEOS)."""

from __future__ import annotations

import shapely
from shapely import wkt

import lifecircle
from lifecircle import _lifecircle

SAMPLES = [
    "POINT (113.25 23.125)",
    "LINESTRING (0 0, 1 2, 3 1.5)",
    "POLYGON ((0 0, 4 0, 4 4, 0 4, 0 0), (1 1, 2 1, 2 2, 1 1))",
    "MULTIPOINT ((1 2), (3 4))",
    "MULTILINESTRING ((0 0, 1 1), (2 2, 3 3, 4 2))",
    "MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5), (5.2 5.1, 5.8 5.1, 5.8 5.7, 5.2 5.1)))",
    "GEOMETRYCOLLECTION (POINT (0 1), LINESTRING (0 0, 1 1), POLYGON ((0 0, 1 0, 1 1, 0 0)))",
    "POLYGON EMPTY",
    "LINESTRING EMPTY",
    "MULTIPOLYGON EMPTY",
]


def test_writer_matches_shapely_bytes():
    for text in SAMPLES:
        g = wkt.loads(text)
        ours = _lifecircle._wkb_roundtrip(shapely.to_wkb(g, byte_order=1))
        assert ours == shapely.to_wkb(g, byte_order=1, flavor="iso"), text
        assert shapely.from_wkb(ours).equals_exact(g, 0) or g.is_empty, text


def test_reader_takes_big_endian_z_and_srid():
    for text in SAMPLES[:7]:
        g = wkt.loads(text)
        g3 = shapely.force_3d(g, 7.0)
        flat = shapely.to_wkb(g, byte_order=1, flavor="iso")
        assert _lifecircle._wkb_roundtrip(shapely.to_wkb(g, byte_order=0)) == flat, text
        assert _lifecircle._wkb_roundtrip(shapely.to_wkb(g3, flavor="iso")) == flat, text
        assert _lifecircle._wkb_roundtrip(
            shapely.to_wkb(shapely.set_srid(g3, 4326), include_srid=True, flavor="extended")
        ) == flat, text


def test_malformed_wkb_is_an_error():
    good = shapely.to_wkb(wkt.loads("LINESTRING (0 0, 1 1)"))
    for bad in [b"", good[:-3], good + b"\x00", b"\x05" + good[1:]]:
        try:
            _lifecircle._wkb_roundtrip(bad)
        except lifecircle.LifecircleError as e:
            assert e.kind == "invalid_value"
        else:
            raise AssertionError(f"accepted {bad!r}")
