//! A sub-district zone (街道 / 镇) and the rule that tells rural zones from urban ones.

use geo_types::MultiPolygon;

/// A sub-district zone: a 街道 (urban sub-district) or 镇 (town), the unit in which planners
/// report life-circle coverage.
#[derive(Debug, Clone, PartialEq)]
pub struct Zone {
    /// Identifier of the zone: the code from the source (e.g. the 9-digit 乡级区划代码, an OSM
    /// `ref`), else the feature number (layers) or the relation id (OpenStreetMap), as text.
    pub code: String,
    /// Name of the zone, e.g. `石楼镇` or `市桥街道`.
    pub name: String,
    /// Name of the district (区 / 县) the zone belongs to, when known.
    pub district: Option<String>,
    /// True for rural zones (镇), false for urban ones (街道); see [`is_rural`].
    pub rural: bool,
    /// The zone's area, WGS84 longitude/latitude in degrees (x = longitude). The readers orient
    /// exterior rings counter-clockwise and holes clockwise, as geodesic areas
    /// (`geo::GeodesicArea`) require.
    pub geometry: MultiPolygon<f64>,
    /// Where the zone was read from, for messages: the file and feature or relation.
    pub origin: String,
}

/// Whether a zone is rural.
///
/// With a `flag` (the value of a rural/urban field) the flag decides, as [`parse_rural_flag`]
/// reads it. Without one, or when the flag is not understood, the name decides: a name ending in
/// `镇` that does not contain `街道` is rural (`石楼镇` is rural, `市桥街道` and `大石镇街道` are
/// not). Readers reject flags they do not understand before calling this.
///
/// ```
/// use lifecircle::zones::is_rural;
/// assert!(is_rural("石楼镇", None));
/// assert!(!is_rural("市桥街道", None));
/// assert!(!is_rural("石楼镇", Some("城市")));
/// assert!(is_rural("沙头街道", Some("1")));
/// ```
pub fn is_rural(name: &str, flag: Option<&str>) -> bool {
    match flag.and_then(parse_rural_flag) {
        Some(rural) => rural,
        None => {
            let name = name.trim();
            name.ends_with('镇') && !name.contains("街道")
        }
    }
}

/// Reads a rural/urban flag: `1`, `true`, `yes`, `y`, `rural`, `农村`, `镇` are rural (`true`);
/// `0`, `false`, `no`, `n`, `urban`, `城市`, `街道` are urban (`false`); case and surrounding
/// blanks are ignored. Anything else (including an empty value) is `None`.
pub fn parse_rural_flag(value: &str) -> Option<bool> {
    match value.trim().to_lowercase().as_str() {
        "1" | "true" | "yes" | "y" | "rural" | "农村" | "镇" => Some(true),
        "0" | "false" | "no" | "n" | "urban" | "城市" | "街道" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_rule() {
        assert!(is_rural("石楼镇", None));
        assert!(is_rural(" 石楼镇 ", None));
        assert!(!is_rural("市桥街道", None));
        assert!(!is_rural("大石镇街道", None));
        assert!(!is_rural("镇海街道", None));
        assert!(!is_rural("Vaduz", None));
        assert!(!is_rural("", None));
    }

    #[test]
    fn flags_decide_over_names() {
        for v in ["1", "TRUE", "Yes", "y", "Rural", "农村", "镇"] {
            assert_eq!(parse_rural_flag(v), Some(true), "{v}");
            assert!(is_rural("市桥街道", Some(v)));
        }
        for v in ["0", "false", "NO", "n", "urban", "城市", "街道"] {
            assert_eq!(parse_rural_flag(v), Some(false), "{v}");
            assert!(!is_rural("石楼镇", Some(v)));
        }
        for v in ["", "2", "maybe", "乡村振兴"] {
            assert_eq!(parse_rural_flag(v), None, "{v}");
        }
        // Unknown flags fall back to the name.
        assert!(is_rural("石楼镇", Some("?")));
    }
}
