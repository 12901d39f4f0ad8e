//! Travel modes: which streets each mode may use, in which direction, and how fast.
//!
//! The OpenStreetMap tag rules follow common routing practice:
//!
//! * **walk / walk-elderly**: `highway` = footway, path, steps, pedestrian, living_street,
//!   residential, service, unclassified, tertiary(_link), secondary(_link), primary(_link), track,
//!   road, cycleway, bridleway, corridor, platform; motorway/trunk (and links) only with
//!   `foot=yes|designated|permissive`. Excluded by `foot=no|private|use_sidepath`, by
//!   `access=no|private` unless foot is explicitly allowed, and by `area=yes`. One-way tags are
//!   ignored. Default speeds 1.0 m/s (adults) and 0.8 m/s (elderly).
//! * **bike**: cycleway, path, track, living_street, residential, service, unclassified,
//!   tertiary–primary and links, road; footway and pedestrian only with `bicycle=yes|designated`.
//!   Excluded by `bicycle=no` and `access=no|private`. One-way respected unless
//!   `oneway:bicycle=no`. Default 4.17 m/s (15 km/h).
//! * **drive**: motorway … service, living_street, road. Excluded by `access=no|private` and
//!   `motor_vehicle|motorcar=no`. One-way (`oneway=yes|1|true|-1`, roundabouts, motorways)
//!   respected. Speed from `maxspeed` when it parses, else a default per road class (km/h):
//!   motorway 90, trunk 70, primary 50, secondary 40, tertiary 30, unclassified 30,
//!   residential 25, service 15, living_street 10, road 25; links as their road minus 10.
//!
//! Access legs (from a point to the street it snaps onto) are always walked, at the walking speed
//! of the profile ([`Profile::access_speed_mps`]).

use crate::error::{Error, ErrorKind, Result};
use std::fmt;
use std::str::FromStr;

/// A travel mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Adult walking (default 1.0 m/s).
    Walk,
    /// Elderly walking (default 0.8 m/s), same streets as [`Mode::Walk`].
    WalkElderly,
    /// Cycling (default 15 km/h).
    Bike,
    /// Driving, with per-road speeds.
    Drive,
}

impl Mode {
    /// All modes, in a stable order.
    pub const ALL: [Mode; 4] = [Mode::Walk, Mode::WalkElderly, Mode::Bike, Mode::Drive];

    /// The default travel speed in metres per second (for drive: the fallback when a road has no
    /// class speed).
    pub fn default_speed_mps(self) -> f64 {
        match self {
            Mode::Walk => 1.0,
            Mode::WalkElderly => 0.8,
            Mode::Bike => 15.0 / 3.6,
            Mode::Drive => 30.0 / 3.6,
        }
    }
}

impl FromStr for Mode {
    type Err = Error;
    fn from_str(s: &str) -> Result<Mode> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "walk" | "foot" => Ok(Mode::Walk),
            "walk-elderly" | "elderly" => Ok(Mode::WalkElderly),
            "bike" | "bicycle" | "cycle" => Ok(Mode::Bike),
            "drive" | "car" => Ok(Mode::Drive),
            _ => Err(Error::new(
                ErrorKind::InvalidValue,
                format!("unknown travel mode {s:?}; use walk, walk-elderly, bike or drive"),
            )),
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Mode::Walk => "walk",
            Mode::WalkElderly => "walk-elderly",
            Mode::Bike => "bike",
            Mode::Drive => "drive",
        })
    }
}

/// A mode with its speeds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Profile {
    /// The travel mode.
    pub mode: Mode,
    /// Travel speed in metres per second: walking and cycling speed, and for driving the speed of
    /// roads with no known class speed.
    pub speed_mps: f64,
    /// Walking speed in metres per second for access legs between a point and its street.
    pub access_speed_mps: f64,
}

impl Profile {
    /// The mode with its default speeds.
    pub fn new(mode: Mode) -> Self {
        let access = match mode {
            Mode::WalkElderly => Mode::WalkElderly.default_speed_mps(),
            _ => Mode::Walk.default_speed_mps(),
        };
        Profile {
            mode,
            speed_mps: mode.default_speed_mps(),
            access_speed_mps: access,
        }
    }

    /// Sets the travel speed (m/s); for walking modes also the access speed.
    pub fn with_speed(mut self, speed_mps: f64) -> Result<Self> {
        check_speed(speed_mps)?;
        self.speed_mps = speed_mps;
        if matches!(self.mode, Mode::Walk | Mode::WalkElderly) {
            self.access_speed_mps = speed_mps;
        }
        Ok(self)
    }

    /// Sets the walking speed (m/s) of access legs.
    pub fn with_access_speed(mut self, speed_mps: f64) -> Result<Self> {
        check_speed(speed_mps)?;
        self.access_speed_mps = speed_mps;
        Ok(self)
    }

    /// Decides whether an OSM way is usable, in which directions and at which speed.
    /// `tag` looks a tag value up by key.
    pub fn osm_way<'a>(&self, tag: impl Fn(&str) -> Option<&'a str>) -> Option<WayAccess> {
        let highway = tag("highway")?;
        if tag("area") == Some("yes") {
            return None;
        }
        let access_denied = matches!(tag("access"), Some("no" | "private"));
        match self.mode {
            Mode::Walk | Mode::WalkElderly => {
                let foot = tag("foot");
                let foot_yes = matches!(foot, Some("yes" | "designated" | "permissive"));
                let usable = match highway {
                    "footway" | "path" | "steps" | "pedestrian" | "living_street"
                    | "residential" | "service" | "unclassified" | "tertiary" | "tertiary_link"
                    | "secondary" | "secondary_link" | "primary" | "primary_link" | "track"
                    | "road" | "cycleway" | "bridleway" | "corridor" | "platform" => true,
                    "motorway" | "motorway_link" | "trunk" | "trunk_link" => foot_yes,
                    _ => false,
                };
                if !usable
                    || matches!(foot, Some("no" | "private" | "use_sidepath"))
                    || (access_denied && !foot_yes)
                {
                    return None;
                }
                Some(WayAccess {
                    forward: true,
                    backward: true,
                    speed_mps: self.speed_mps,
                })
            }
            Mode::Bike => {
                let bicycle = tag("bicycle");
                let bike_yes = matches!(bicycle, Some("yes" | "designated" | "permissive"));
                let usable = match highway {
                    "cycleway" | "path" | "track" | "living_street" | "residential" | "service"
                    | "unclassified" | "tertiary" | "tertiary_link" | "secondary"
                    | "secondary_link" | "primary" | "primary_link" | "road" => true,
                    "footway" | "pedestrian" => bike_yes,
                    _ => false,
                };
                if !usable || bicycle == Some("no") || (access_denied && !bike_yes) {
                    return None;
                }
                let (mut forward, mut backward) = oneway(&tag, highway);
                if tag("oneway:bicycle") == Some("no") {
                    forward = true;
                    backward = true;
                }
                Some(WayAccess {
                    forward,
                    backward,
                    speed_mps: self.speed_mps,
                })
            }
            Mode::Drive => {
                let class_kmh = match highway {
                    "motorway" => 90.0,
                    "motorway_link" => 80.0,
                    "trunk" => 70.0,
                    "trunk_link" => 60.0,
                    "primary" => 50.0,
                    "primary_link" => 40.0,
                    "secondary" => 40.0,
                    "secondary_link" => 30.0,
                    "tertiary" | "unclassified" => 30.0,
                    "tertiary_link" => 20.0,
                    "residential" | "road" => 25.0,
                    "service" => 15.0,
                    "living_street" => 10.0,
                    _ => return None,
                };
                if access_denied
                    || matches!(tag("motor_vehicle"), Some("no"))
                    || matches!(tag("motorcar"), Some("no"))
                {
                    return None;
                }
                let (forward, backward) = oneway(&tag, highway);
                let speed_mps = tag("maxspeed")
                    .and_then(parse_maxspeed_kmh)
                    .unwrap_or(class_kmh)
                    / 3.6;
                Some(WayAccess {
                    forward,
                    backward,
                    speed_mps,
                })
            }
        }
    }
}

fn check_speed(speed_mps: f64) -> Result<()> {
    let range = crate::bounds::SPEED_MPS;
    if range.contains(speed_mps) {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::InvalidValue,
            format!(
                "speed must be {}, got {}",
                range.describe(),
                crate::bounds::number(speed_mps)
            ),
        ))
    }
}

/// Allowed directions (forward = in the way's node order) from the one-way tags.
fn oneway<'a>(tag: &impl Fn(&str) -> Option<&'a str>, highway: &str) -> (bool, bool) {
    match tag("oneway") {
        Some("yes" | "1" | "true") => (true, false),
        Some("-1" | "reverse") => (false, true),
        Some("no" | "0" | "false") => (true, true),
        _ => {
            if tag("junction") == Some("roundabout") || highway == "motorway" {
                (true, false)
            } else {
                (true, true)
            }
        }
    }
}

/// Parses `maxspeed` values such as `50`, `50 km/h`, `30 mph` into km/h.
pub fn parse_maxspeed_kmh(v: &str) -> Option<f64> {
    let v = v.trim();
    let (num, factor) = if let Some(n) = v.strip_suffix("mph") {
        (n.trim(), 1.609_344)
    } else if let Some(n) = v.strip_suffix("km/h") {
        (n.trim(), 1.0)
    } else {
        (v, 1.0)
    };
    let x: f64 = num.parse().ok()?;
    (x.is_finite() && x > 0.0).then_some(x * factor)
}

/// How a way may be travelled.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WayAccess {
    /// Travel allowed in the way's node order.
    pub forward: bool,
    /// Travel allowed against the way's node order.
    pub backward: bool,
    /// Travel speed in metres per second.
    pub speed_mps: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn way(profile: &Profile, tags: &[(&'static str, &'static str)]) -> Option<WayAccess> {
        profile.osm_way(|k| tags.iter().find(|(kk, _)| *kk == k).map(|(_, v)| *v))
    }

    #[test]
    fn walking_rules() {
        let p = Profile::new(Mode::Walk);
        assert!(way(&p, &[("highway", "footway")]).is_some());
        assert!(way(&p, &[("highway", "motorway")]).is_none());
        assert!(way(&p, &[("highway", "trunk"), ("foot", "yes")]).is_some());
        assert!(way(&p, &[("highway", "residential"), ("access", "private")]).is_none());
        assert!(way(&p, &[("highway", "pedestrian"), ("area", "yes")]).is_none());
        assert!(way(&p, &[("highway", "path"), ("foot", "no")]).is_none());
        let w = way(&p, &[("highway", "residential"), ("oneway", "yes")]).unwrap();
        assert!(w.forward && w.backward);
        assert_eq!(w.speed_mps, 1.0);
        assert_eq!(Profile::new(Mode::WalkElderly).speed_mps, 0.8);
    }

    #[test]
    fn driving_rules() {
        let p = Profile::new(Mode::Drive);
        let w = way(&p, &[("highway", "primary"), ("oneway", "-1")]).unwrap();
        assert!(!w.forward && w.backward);
        assert!((w.speed_mps - 50.0 / 3.6).abs() < 1e-12);
        let w = way(&p, &[("highway", "residential"), ("maxspeed", "20 mph")]).unwrap();
        assert!((w.speed_mps - 20.0 * 1.609_344 / 3.6).abs() < 1e-12);
        assert!(way(&p, &[("highway", "footway")]).is_none());
    }
}
