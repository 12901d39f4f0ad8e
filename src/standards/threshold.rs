//! Thresholds in minutes or metres, with their rural variants.

use crate::error::{Error, ErrorKind, Result};

/// A limit on travel: time along the network, or network distance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Limit {
    /// Travel time in seconds.
    Seconds(f64),
    /// Network distance (plus access legs) in metres.
    Metres(f64),
}

impl Limit {
    /// True when a trip of `time_s` seconds and `distance_m` metres is within the limit.
    #[inline]
    pub fn admits(self, time_s: f64, distance_m: f64) -> bool {
        match self {
            Limit::Seconds(s) => time_s <= s,
            Limit::Metres(m) => distance_m <= m,
        }
    }

    /// A short label: `15 min` or `5000 m`.
    pub fn label(self) -> String {
        match self {
            Limit::Seconds(s) => format!("{} min", s / 60.0),
            Limit::Metres(m) => format!("{m} m"),
        }
    }

    /// The largest travel time in seconds this limit can admit at `speed_mps` (for bounding
    /// searches): the time itself, or the distance at that speed.
    pub fn max_time_s(self, speed_mps: f64) -> f64 {
        match self {
            Limit::Seconds(s) => s,
            Limit::Metres(m) => m / speed_mps,
        }
    }
}

/// Urban and rural limits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Threshold {
    /// Limit in urban zones.
    pub urban: Limit,
    /// Limit in rural zones.
    pub rural: Limit,
}

impl Threshold {
    /// The limit for a zone.
    #[inline]
    pub fn limit(&self, rural: bool) -> Limit {
        if rural {
            self.rural
        } else {
            self.urban
        }
    }

    /// Builds a threshold from optional minutes/metres keys; `key` names the table in errors.
    /// Exactly one of `minutes`/`metres` is required; the rural limit defaults to the urban one.
    pub fn from_keys(
        key: &str,
        minutes: Option<f64>,
        metres: Option<f64>,
        rural_minutes: Option<f64>,
        rural_metres: Option<f64>,
    ) -> Result<Threshold> {
        let one = |m: Option<f64>, d: Option<f64>, what: &str| -> Result<Option<Limit>> {
            match (m, d) {
                (Some(_), Some(_)) => Err(Error::new(
                    ErrorKind::InvalidValue,
                    format!("give {what}minutes or {what}metres, not both"),
                )
                .field(key)),
                (Some(m), None) => crate::bounds::MINUTES
                    .check(m, &format!("{key}.{what}minutes"))
                    .map(|m| Some(Limit::Seconds(m * 60.0))),
                (None, Some(d)) => crate::bounds::THRESHOLD_M
                    .check(d, &format!("{key}.{what}metres"))
                    .map(|d| Some(Limit::Metres(d))),
                (None, None) => Ok(None),
            }
        };
        let urban = one(minutes, metres, "")?.ok_or_else(|| {
            Error::new(
                ErrorKind::MissingField,
                "a threshold needs minutes or metres",
            )
            .field(format!("{key}.minutes"))
        })?;
        let rural = one(rural_minutes, rural_metres, "rural_")?.unwrap_or(urban);
        Ok(Threshold { urban, rural })
    }
}
