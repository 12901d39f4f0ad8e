//! The study file: one TOML file naming a study's inputs, standards, travel settings and
//! outputs. Every key is checked: an unknown key, a missing input file or a value out of range is
//! an error naming the key. Relative paths are relative to the study file's folder. See
//! `data/liechtenstein/study.toml` for a commented example of every key.

use crate::bounds::{self, Range};
use crate::error::{Error, ErrorKind, Result};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A parsed study file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Study {
    /// Title of the study, used in reports.
    #[serde(default)]
    pub name: String,
    /// Standards profile: `guangzhou` (built in) or a profile file.
    #[serde(default = "default_profile")]
    pub profile: String,
    /// Where and how to write the results.
    pub output: OutputSection,
    /// The street network.
    pub network: NetworkSection,
    /// The facilities.
    pub facilities: FacilitiesSection,
    /// The demand (population).
    pub demand: DemandSection,
    /// The zones (街道/镇).
    pub zones: ZonesSection,
    /// Analysis settings.
    #[serde(default)]
    pub analysis: AnalysisSection,
    /// Service areas, maps and the HTML report.
    #[serde(default)]
    pub report: ReportSection,
    /// Capacity-aware accessibility (2SFCA / E2SFCA); off when absent.
    #[serde(default)]
    pub access: Option<AccessSection>,
    /// A plan compared with the baseline (facilities added or removed, population projected).
    #[serde(default)]
    pub scenario: Option<ScenarioSection>,
    /// Site selection for new facilities (`[[siting]]`, one per category sited).
    #[serde(default)]
    pub siting: Vec<SitingSection>,
    /// The folder of the study file; relative paths start here.
    #[serde(skip)]
    pub base_dir: PathBuf,
    /// The study file itself.
    #[serde(skip)]
    pub path: PathBuf,
}

fn default_profile() -> String {
    "guangzhou".into()
}

/// `[output]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputSection {
    /// Output folder.
    pub folder: String,
    /// Formats: any of `gpkg`, `geojson`, `csv`, `xlsx`.
    #[serde(default = "default_formats")]
    pub formats: Vec<String>,
    /// Output coordinates: `wgs84`, `cgcs2000`, `EPSG:4547` or `gcj02` (GeoJSON is always WGS84).
    #[serde(default = "default_crs")]
    pub crs: String,
    /// Column headers of CSV and XLSX: `zh` or `en`.
    #[serde(default = "default_headers")]
    pub headers: String,
    /// CSV text encoding: `utf-8` (with BOM) or `gbk`.
    #[serde(default = "default_csv_encoding")]
    pub csv_encoding: String,
}

fn default_formats() -> Vec<String> {
    vec!["gpkg".into(), "csv".into()]
}
fn default_crs() -> String {
    "wgs84".into()
}
fn default_headers() -> String {
    "zh".into()
}
fn default_csv_encoding() -> String {
    "utf-8".into()
}

/// `[network]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkSection {
    /// OSM `.osm.pbf` or a line layer.
    pub file: String,
    /// Layer name in a multi-layer file.
    pub layer: Option<String>,
    /// Coordinate system of a line layer (default: its own).
    pub crs: Option<String>,
    /// Text encoding of a Shapefile without `.cpg`.
    pub encoding: Option<String>,
    /// One-way field of a line layer.
    pub oneway_field: Option<String>,
    /// Speed field (km/h) of a line layer.
    pub speed_field: Option<String>,
    /// Field excluding a segment when 1/yes/true.
    pub exclude_field: Option<String>,
    /// `largest` (default) or `all` connected pieces.
    #[serde(default = "default_keep")]
    pub keep_components: String,
    /// Maximum access-leg length in metres.
    #[serde(default = "default_snap")]
    pub max_snap_m: f64,
    /// Adult walking speed in m/s.
    #[serde(default = "default_walk")]
    pub walk_speed: f64,
    /// Elderly walking speed in m/s.
    #[serde(default = "default_elderly")]
    pub elderly_walk_speed: f64,
}

fn default_keep() -> String {
    "largest".into()
}
fn default_snap() -> f64 {
    500.0
}
fn default_walk() -> f64 {
    1.0
}
fn default_elderly() -> f64 {
    0.8
}

/// `[facilities]`
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct FacilitiesSection {
    /// An OSM `.osm.pbf` whose features are classified with `category_map`.
    pub osm: Option<String>,
    /// Mapping of OSM tags to categories (default: the built-in mapping).
    pub category_map: Option<String>,
    /// Facility tables or layers.
    #[serde(default)]
    pub files: Vec<FacilityFile>,
}

/// `[[facilities.files]]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FacilityFile {
    /// CSV/XLSX table or GDAL point/polygon layer.
    pub path: String,
    /// Coordinate system (`wgs84`, `cgcs2000`, `gcj02`, `bd09`, `EPSG:n`).
    pub crs: Option<String>,
    /// Layer name.
    pub layer: Option<String>,
    /// One category for every row (instead of a category column).
    pub category: Option<String>,
    /// Text encoding (`auto`, `utf-8`, `gbk`).
    pub encoding: Option<String>,
}

/// `[demand]`: exactly one of `osm_buildings`, `points`, `polygons`, `raster`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct DemandSection {
    /// OSM residential buildings, weighted by footprint × levels.
    pub osm_buildings: Option<String>,
    /// Scale building weights so their sum is this population.
    pub total_population: Option<f64>,
    /// Points with a population field.
    pub points: Option<String>,
    /// Polygons with a population field.
    pub polygons: Option<String>,
    /// A population raster.
    pub raster: Option<String>,
    /// Population field of points/polygons.
    pub population_field: Option<String>,
    /// Population groups: name → field, e.g. `age_60plus = "60岁以上"`.
    #[serde(default)]
    pub groups: BTreeMap<String, String>,
    /// Buildings to spread polygon populations onto (`.osm.pbf` or a layer).
    pub buildings: Option<String>,
    /// Floors field of the building layer (default: the first of
    /// [`crate::input::population::LEVELS_FIELDS`] the layer has).
    pub levels_field: Option<String>,
    /// Coordinate system of the building layer (default: the layer's own).
    pub buildings_crs: Option<String>,
    /// Layer of the building file.
    pub buildings_layer: Option<String>,
    /// Text encoding of the building layer.
    pub buildings_encoding: Option<String>,
    /// Spacing in metres of sample points in polygons without buildings.
    #[serde(default = "default_spacing")]
    pub sample_spacing_m: f64,
    /// Coordinate system of points/polygons/raster.
    pub crs: Option<String>,
    /// Layer name.
    pub layer: Option<String>,
    /// Text encoding.
    pub encoding: Option<String>,
    /// Raster band (1-based).
    #[serde(default = "default_band")]
    pub band: usize,
}

fn default_spacing() -> f64 {
    100.0
}
fn default_band() -> usize {
    1
}

/// `[scenario]`: a plan run next to the baseline. Its outputs go to `<output folder>/plan/`, and
/// `scenario_zones.csv` gives every zone figure for the baseline, the plan and the difference.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSection {
    /// Name of the plan.
    #[serde(default = "default_plan_name")]
    pub name: String,
    /// Facilities the plan adds (same keys as `[[facilities.files]]`).
    #[serde(default)]
    pub add_facilities: Vec<FacilityFile>,
    /// Identifiers of facilities the plan removes.
    #[serde(default)]
    pub remove_facilities: Vec<String>,
    /// Factor applied to every demand point's population (e.g. 21.0 / 18.68 for a 2025 projection).
    #[serde(default = "default_scale")]
    pub population_scale: f64,
    /// Further factor per zone code.
    #[serde(default)]
    pub zone_population_scale: BTreeMap<String, f64>,
    /// Add the sites chosen by the study's `[[siting]]` sections to the plan as new facilities.
    #[serde(default)]
    pub add_sites: bool,
}

/// `[[siting]]`: where new facilities of one profile category should go — maximal covering
/// (`k` sites covering the most people not yet covered within the threshold) or set covering
/// (`target_share`: the fewest sites reaching that share of the coverable population), with
/// the zone rules and capacities. The population is the category's (e.g. residents aged 60+ for
/// elderly care) and travel is the category's mode and speed.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SitingSection {
    /// Profile category to site (e.g. `elderly_care`).
    pub category: String,
    /// Number of new sites (maximal covering).
    pub k: Option<usize>,
    /// Instead of `k`: the coverage share (0–1) to reach with the fewest sites.
    pub target_share: Option<f64>,
    /// Threshold in minutes; default: the category's urban threshold.
    pub minutes: Option<f64>,
    /// Candidate sites: a file (table with id, lon, lat or a point/polygon layer), or
    /// `gap-nodes[:SPACING_M]` (network nodes outside the current coverage) or
    /// `hexagons[:CELL_M]` (centres of hexagons holding uncovered people).
    #[serde(default = "default_candidates")]
    pub candidates: String,
    /// Coordinate system of a candidates file.
    pub candidates_crs: Option<String>,
    /// `auto`, `greedy` or `exact`.
    #[serde(default = "default_method")]
    pub method: String,
    /// Time limit of the exact solver, seconds.
    #[serde(default = "default_time_limit")]
    pub time_limit: f64,
    /// Rule: a new site in every zone without a facility of the category.
    #[serde(default)]
    pub one_per_zone: bool,
    /// Rule: at most this many new sites per district.
    pub max_per_district: Option<usize>,
    /// Zone codes where no site may go.
    #[serde(default)]
    pub exclude_zones: Vec<String>,
    /// A polygon layer where no site may go (water, protected land).
    pub mask: Option<String>,
    /// Capacity: people each new site can serve.
    pub site_capacity: Option<f64>,
    /// Capacity from the candidates' capacity column times this many people per unit.
    pub people_per_unit: Option<f64>,
}

fn default_candidates() -> String {
    "gap-nodes".into()
}
fn default_method() -> String {
    "auto".into()
}
fn default_time_limit() -> f64 {
    60.0
}

fn default_plan_name() -> String {
    "plan".into()
}
fn default_scale() -> f64 {
    1.0
}

/// `[zones]`: `file` (a polygon layer) or `osm` (administrative boundaries).
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ZonesSection {
    /// A polygon layer of 街道/镇.
    pub file: Option<String>,
    /// An OSM `.osm.pbf` with administrative boundaries.
    pub osm: Option<String>,
    /// OSM `admin_level` of the zones.
    #[serde(default = "default_admin_level")]
    pub admin_level: u8,
    /// OSM `admin_level` of the districts (区), for the roll-up.
    pub district_level: Option<u8>,
    /// Layer name.
    pub layer: Option<String>,
    /// Coordinate system override.
    pub crs: Option<String>,
    /// Text encoding.
    pub encoding: Option<String>,
    /// Name field.
    pub name_field: Option<String>,
    /// Code field.
    pub code_field: Option<String>,
    /// District field.
    pub district_field: Option<String>,
    /// Rural flag field.
    pub rural_field: Option<String>,
    /// District (区) polygons: each zone takes the district containing a point on its surface
    /// (instead of a district field).
    pub districts: Option<String>,
    /// Name field of the district layer.
    pub district_name_field: Option<String>,
    /// Village / neighbourhood committee (村居) polygons, for per-village count rules.
    pub villages: Option<String>,
    /// Name field of the village layer.
    pub village_name_field: Option<String>,
    /// Code field of the village layer.
    pub village_code_field: Option<String>,
}

fn default_admin_level() -> u8 {
    8
}

/// `[analysis]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnalysisSection {
    /// Stop searches at this many minutes (times beyond are reported as not reached).
    pub max_minutes: Option<f64>,
    /// Hexagon size (flat to flat, metres) of the gap areas. Every category's gap areas lie on
    /// one grid of such hexagons, centred on the populated demand.
    #[serde(default = "default_cell")]
    pub gap_cell_m: f64,
}

fn default_cell() -> f64 {
    250.0
}

impl Default for AnalysisSection {
    fn default() -> Self {
        AnalysisSection {
            max_minutes: None,
            gap_cell_m: default_cell(),
        }
    }
}

/// `[report]`: service-area layers, static maps and the HTML report, all on by default.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportSection {
    /// Service-area layers per category (`service_areas`) and per facility
    /// (`facility_service_areas`).
    #[serde(default = "yes")]
    pub service_areas: bool,
    /// Also the per-facility service areas (with `service_areas`); off unless asked for.
    #[serde(default)]
    pub facility_service_areas: bool,
    /// Also the reached streets of each category's service area (layer `service_area_lines`);
    /// off unless asked for.
    #[serde(default)]
    pub service_area_lines: bool,
    /// Service-area thresholds in minutes, the same for every category (e.g. `[5, 10, 15]`);
    /// empty (default): each category's own threshold, and its rural one when the study has
    /// rural zones.
    #[serde(default)]
    pub service_area_minutes: Vec<f64>,
    /// Buffer width in metres on each side of the reached streets.
    #[serde(default = "default_buffer")]
    pub service_area_buffer_m: f64,
    /// Static maps (SVG and PNG): `map_*.svg`, `map_*.png`.
    #[serde(default = "yes")]
    pub maps: bool,
    /// The HTML report `report.html`.
    #[serde(default = "yes")]
    pub html: bool,
    /// Geometry simplification for display (maps and report), tolerance in metres.
    #[serde(default = "default_simplify")]
    pub simplify_m: f64,
}

fn yes() -> bool {
    true
}
fn default_buffer() -> f64 {
    crate::analysis::service_area::DEFAULT_BUFFER_M
}
fn default_simplify() -> f64 {
    5.0
}

impl Default for ReportSection {
    fn default() -> Self {
        ReportSection {
            service_areas: true,
            facility_service_areas: false,
            service_area_lines: false,
            service_area_minutes: Vec::new(),
            service_area_buffer_m: default_buffer(),
            maps: true,
            html: true,
            simplify_m: default_simplify(),
        }
    }
}

/// `[access]`: capacity-aware accessibility by the two-step floating catchment area method
/// (2SFCA, or E2SFCA with stepwise weights) for profile categories whose facilities have a
/// capacity. Per demand point: capacity per person within reach; per facility: capacity per
/// person of (weighted) demand in its catchment; per zone and district: the population-weighted
/// mean and the share of the population below the target.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessSection {
    /// Profile categories measured; empty (default): every profile category with a capacity on
    /// at least one facility.
    #[serde(default)]
    pub categories: Vec<String>,
    /// Distance decay: `step` (2SFCA), `gaussian`, or `weights` (E2SFCA with `weights`).
    #[serde(default = "default_decay")]
    pub decay: String,
    /// Stepwise weights for `decay = "weights"`: `[[upper bound minutes, weight], ...]`, upper
    /// bounds inclusive and increasing; weight 0 beyond the last band.
    #[serde(default)]
    pub weights: Vec<[f64; 2]>,
    /// Catchment size in minutes for every category; default: each category's urban threshold
    /// (a threshold in metres is converted at the category's travel speed).
    pub minutes: Option<f64>,
    /// Target access per category, in capacity per person (e.g. `childcare = 0.0058` places per
    /// resident); default: the target of the category's `capacity_per_population` ratio rule
    /// divided by its `per`, when the rule is per the same population as the category.
    #[serde(default)]
    pub targets: BTreeMap<String, f64>,
}

fn default_decay() -> String {
    "step".into()
}

impl AccessSection {
    /// The decay as configured.
    pub fn decay(&self) -> Result<crate::analysis::access::Decay> {
        use crate::analysis::access::Decay;
        match self.decay.as_str() {
            "weights" => {
                let bands: Vec<(f64, f64)> = self.weights.iter().map(|b| (b[0], b[1])).collect();
                Decay::weights_minutes(&bands, "access.weights")
            }
            d => {
                if !self.weights.is_empty() {
                    return Err(Error::new(
                        ErrorKind::InvalidValue,
                        "weights are used only with decay = \"weights\"",
                    )
                    .field("access.weights"));
                }
                d.parse().map_err(|_: Error| {
                    Error::new(
                        ErrorKind::InvalidValue,
                        format!("unknown decay {d:?}; use step, gaussian or weights"),
                    )
                    .field("access.decay")
                })
            }
        }
    }
}

impl Study {
    /// Reads and checks a study file.
    pub fn read(path: &Path) -> Result<Study> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Study::parse(&text, path)
    }

    /// Parses study text; `path` locates relative paths and names the file in messages.
    pub fn parse(text: &str, path: &Path) -> Result<Study> {
        let mut s: Study = toml::from_str(text).map_err(|e| {
            let at = e
                .span()
                .map(|sp| format!("line {}", text[..sp.start].matches('\n').count() + 1));
            let err =
                Error::new(ErrorKind::InvalidValue, e.message().trim().to_string()).file(path);
            match at {
                Some(a) => err.at(a),
                None => err,
            }
        })?;
        s.base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        s.path = path.to_path_buf();
        s.check().map_err(|e| e.file(path))?;
        Ok(s)
    }

    /// Resolves a path given in the study relative to its folder.
    pub fn resolve(&self, p: &str) -> PathBuf {
        let p = Path::new(p);
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.base_dir.join(p)
        }
    }

    fn input(&self, key: &str, p: &Option<String>) -> Result<()> {
        if let Some(p) = p {
            let full = self.resolve(p);
            if !full.exists() {
                return Err(Error::new(
                    ErrorKind::Io,
                    format!("input file not found: {}", full.display()),
                )
                .field(key));
            }
        }
        Ok(())
    }

    fn check(&self) -> Result<()> {
        let in_range =
            |range: Range, v: f64, key: &str| -> Result<()> { range.check(v, key).map(|_| ()) };
        self.input("network.file", &Some(self.network.file.clone()))?;
        in_range(
            bounds::SNAP_M,
            self.network.max_snap_m,
            "network.max_snap_m",
        )?;
        in_range(
            bounds::SPEED_MPS,
            self.network.walk_speed,
            "network.walk_speed",
        )?;
        in_range(
            bounds::SPEED_MPS,
            self.network.elderly_walk_speed,
            "network.elderly_walk_speed",
        )?;
        if !matches!(self.network.keep_components.as_str(), "largest" | "all") {
            return Err(Error::new(ErrorKind::InvalidValue, "use largest or all")
                .field("network.keep_components"));
        }
        self.input("facilities.osm", &self.facilities.osm)?;
        self.input("facilities.category_map", &self.facilities.category_map)?;
        for (i, f) in self.facilities.files.iter().enumerate() {
            self.input(
                &format!("facilities.files[{i}].path"),
                &Some(f.path.clone()),
            )?;
        }
        if self.facilities.osm.is_none() && self.facilities.files.is_empty() {
            return Err(Error::new(
                ErrorKind::MissingField,
                "no facilities: give facilities.osm or [[facilities.files]]",
            )
            .field("facilities"));
        }
        let d = &self.demand;
        let sources = [&d.osm_buildings, &d.points, &d.polygons, &d.raster];
        if sources.iter().filter(|s| s.is_some()).count() != 1 {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                "give exactly one of osm_buildings, points, polygons, raster",
            )
            .field("demand"));
        }
        for (k, v) in [
            ("demand.osm_buildings", &d.osm_buildings),
            ("demand.points", &d.points),
            ("demand.polygons", &d.polygons),
            ("demand.raster", &d.raster),
            ("demand.buildings", &d.buildings),
        ] {
            self.input(k, v)?;
        }
        if let Some(t) = d.total_population {
            in_range(bounds::TOTAL_POPULATION, t, "demand.total_population")?;
        }
        in_range(
            bounds::SAMPLE_SPACING_M,
            d.sample_spacing_m,
            "demand.sample_spacing_m",
        )?;
        for (k, v) in [
            ("demand.buildings", &d.buildings),
            ("demand.levels_field", &d.levels_field),
            ("demand.buildings_crs", &d.buildings_crs),
            ("demand.buildings_layer", &d.buildings_layer),
            ("demand.buildings_encoding", &d.buildings_encoding),
        ] {
            if v.is_some() && (d.buildings.is_none() || d.polygons.is_none()) {
                return Err(Error::new(
                    ErrorKind::InvalidValue,
                    "describes a building layer: give it with demand.polygons and demand.buildings",
                )
                .field(k));
            }
        }
        if d.polygons.is_some() && d.population_field.is_none() {
            return Err(
                Error::new(ErrorKind::MissingField, "polygons need a population field")
                    .field("demand.population_field"),
            );
        }
        let z = &self.zones;
        if z.file.is_some() == z.osm.is_some() {
            return Err(
                Error::new(ErrorKind::InvalidValue, "give exactly one of file or osm")
                    .field("zones"),
            );
        }
        self.input("zones.file", &z.file)?;
        self.input("zones.osm", &z.osm)?;
        self.input("zones.districts", &z.districts)?;
        bounds::ADMIN_LEVEL.check(f64::from(z.admin_level), "zones.admin_level")?;
        if let Some(l) = z.district_level {
            bounds::ADMIN_LEVEL.check(f64::from(l), "zones.district_level")?;
        }
        if let Some(sc) = &self.scenario {
            in_range(
                bounds::POPULATION_SCALE,
                sc.population_scale,
                "scenario.population_scale",
            )?;
            for (code, f) in &sc.zone_population_scale {
                in_range(
                    bounds::POPULATION_SCALE,
                    *f,
                    &format!("scenario.zone_population_scale.{code}"),
                )?;
            }
            for (i, f) in sc.add_facilities.iter().enumerate() {
                self.input(
                    &format!("scenario.add_facilities[{i}].path"),
                    &Some(f.path.clone()),
                )?;
            }
        }
        self.input("zones.villages", &z.villages)?;
        if let Some(m) = self.analysis.max_minutes {
            in_range(bounds::MINUTES, m, "analysis.max_minutes")?;
        }
        in_range(
            bounds::HEX_CELL_M,
            self.analysis.gap_cell_m,
            "analysis.gap_cell_m",
        )?;
        if let Some(a) = &self.access {
            a.decay()?;
            if let Some(m) = a.minutes {
                in_range(bounds::MINUTES, m, "access.minutes")?;
            }
            for (c, t) in &a.targets {
                in_range(bounds::ACCESS_TARGET, *t, &format!("access.targets.{c}"))?;
            }
        }
        for (i, st) in self.siting.iter().enumerate() {
            let key = |k: &str| format!("siting[{i}].{k}");
            match (st.k, st.target_share) {
                (Some(k), None) => {
                    bounds::K.check_count(k, &key("k"))?;
                }
                (None, Some(v)) => in_range(bounds::SHARE, v, &key("target_share"))?,
                _ => {
                    return Err(Error::new(
                        ErrorKind::InvalidValue,
                        "give exactly one of k or target_share",
                    )
                    .field(key("k")))
                }
            }
            if let Some(m) = st.minutes {
                in_range(bounds::MINUTES, m, &key("minutes"))?;
            }
            in_range(bounds::TIME_LIMIT_S, st.time_limit, &key("time_limit"))?;
            if let Some(n) = st.max_per_district {
                bounds::MAX_PER_DISTRICT.check_count(n, &key("max_per_district"))?;
            }
            st.method
                .parse::<crate::siting::select::Method>()
                .map_err(|e| e.field(key("method")))?;
            if crate::siting::request::Candidates::generated(&st.candidates)
                .map_err(|e| e.field_prefix(&format!("siting[{i}]")))?
                .is_none()
            {
                self.input(&key("candidates"), &Some(st.candidates.clone()))?;
            }
            self.input(&key("mask"), &st.mask)?;
            if st.site_capacity.is_some() && st.people_per_unit.is_some() {
                return Err(Error::new(
                    ErrorKind::InvalidValue,
                    "give site_capacity or people_per_unit, not both",
                )
                .field(key("site_capacity")));
            }
            if let Some(c) = st.site_capacity {
                in_range(bounds::SITE_CAPACITY, c, &key("site_capacity"))?;
            }
            if let Some(c) = st.people_per_unit {
                in_range(bounds::PEOPLE_PER_UNIT, c, &key("people_per_unit"))?;
            }
        }
        for (i, m) in self.report.service_area_minutes.iter().enumerate() {
            in_range(
                bounds::MINUTES,
                *m,
                &format!("report.service_area_minutes[{i}]"),
            )?;
        }
        in_range(
            bounds::BUFFER_M,
            self.report.service_area_buffer_m,
            "report.service_area_buffer_m",
        )?;
        in_range(
            bounds::SIMPLIFY_M,
            self.report.simplify_m,
            "report.simplify_m",
        )?;
        for f in &self.output.formats {
            if !matches!(f.as_str(), "gpkg" | "geojson" | "csv" | "xlsx") {
                return Err(Error::new(
                    ErrorKind::InvalidValue,
                    format!("unknown format {f:?}; use gpkg, geojson, csv or xlsx"),
                )
                .field("output.formats"));
            }
            if f == "gpkg" && !cfg!(feature = "gdal") {
                return Err(Error::needs_gdal("writing GeoPackage files (format gpkg)")
                    .field("output.formats"));
            }
        }
        if !matches!(self.output.headers.as_str(), "zh" | "en") {
            return Err(Error::new(ErrorKind::InvalidValue, "use zh or en").field("output.headers"));
        }
        if !matches!(self.output.csv_encoding.as_str(), "utf-8" | "utf8" | "gbk") {
            return Err(Error::new(ErrorKind::InvalidValue, "use utf-8 or gbk")
                .field("output.csv_encoding"));
        }
        Ok(())
    }
}
