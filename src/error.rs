//! One error type for the whole crate: a [`ErrorKind`] that says what went wrong and a
//! context that says where (file, row or feature, field), so that a GIS user can find and fix
//! the offending input.

use std::fmt;
use std::path::{Path, PathBuf};

/// What kind of failure happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// A file could not be opened, read or written.
    Io,
    /// The file exists but its format is not understood.
    Format,
    /// A required column, field or key is missing.
    MissingField,
    /// A value is present but invalid (non-numeric, NaN, out of range, unknown name).
    InvalidValue,
    /// The input is structurally empty (no rows, no features, no edges).
    Empty,
    /// A coordinate reference system is unknown or a transformation failed.
    Crs,
    /// The inputs do not fit together (e.g. demand far outside the network).
    Mismatch,
}

/// An error with the place it happened.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    file: Option<PathBuf>,
    location: Option<String>,
    field: Option<String>,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The error for input or output that needs GDAL, in a build without it (the `gdal`
    /// feature); `what` names the kind of file, e.g. "reading GeoPackage and Shapefile layers".
    pub fn needs_gdal(what: &str) -> Error {
        Error::new(
            ErrorKind::Format,
            format!(
                "{what} needs GDAL, and this lifecircle was built without it (the `gdal` feature); \
                 without it the tool reads OpenStreetMap PBF, CSV and XLSX files and writes CSV, \
                 GeoJSON and XLSX"
            ),
        )
    }

    /// A new error of `kind` with a human-readable `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            file: None,
            location: None,
            field: None,
            source: None,
        }
    }

    /// Attaches the file the error is about (kept if one is already set).
    pub fn file(mut self, path: impl AsRef<Path>) -> Self {
        if self.file.is_none() {
            self.file = Some(path.as_ref().to_path_buf());
        }
        self
    }

    /// Attaches a location inside the file, e.g. `row 17` or `feature 3`.
    pub fn at(mut self, location: impl Into<String>) -> Self {
        if self.location.is_none() {
            self.location = Some(location.into());
        }
        self
    }

    /// Attaches the field, column or key the error is about.
    pub fn field(mut self, field: impl Into<String>) -> Self {
        if self.field.is_none() {
            self.field = Some(field.into());
        }
        self
    }

    /// Renames the field `from` to `to` (e.g. a library setting to the command-line option that
    /// gives it); other fields are kept.
    ///
    /// ```
    /// use lifecircle::{Error, ErrorKind};
    /// let e = Error::new(ErrorKind::InvalidValue, "bad").field("candidates");
    /// assert_eq!(e.rename_field("candidates", "--candidates").to_string(), "`--candidates`: bad");
    /// ```
    pub fn rename_field(mut self, from: &str, to: &str) -> Self {
        if self.field.as_deref() == Some(from) {
            self.field = Some(to.to_string());
        }
        self
    }

    /// Places the error under a section of a configuration file: the field `k` becomes
    /// `prefix.k` (or `prefix` when there is no field). Errors about another file (an input
    /// the section names) keep their field, which is a column of that file.
    ///
    /// ```
    /// use lifecircle::{Error, ErrorKind};
    /// let e = Error::new(ErrorKind::InvalidValue, "bad").field("k").field_prefix("siting[0]");
    /// assert_eq!(e.to_string(), "`siting[0].k`: bad");
    /// ```
    pub fn field_prefix(mut self, prefix: &str) -> Self {
        if self.file.is_none() {
            self.field = Some(match self.field.take() {
                Some(f) if f.starts_with(prefix) => f,
                Some(f) => format!("{prefix}.{f}"),
                None => prefix.to_string(),
            });
        }
        self
    }

    /// Attaches an underlying cause.
    pub fn caused_by(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The message without its context.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Shorthand for an I/O error on `path`.
    pub fn io(path: impl AsRef<Path>, err: std::io::Error) -> Self {
        let what = match err.kind() {
            std::io::ErrorKind::NotFound => "file not found".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            _ => format!("cannot read or write: {err}"),
        };
        Error::new(ErrorKind::Io, what).file(path).caused_by(err)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{}", file.display())?;
            if let Some(loc) = &self.location {
                write!(f, ", {loc}")?;
            }
            if let Some(field) = &self.field {
                write!(f, ", field `{field}`")?;
            }
            write!(f, ": ")?;
        } else {
            match (&self.location, &self.field) {
                (Some(loc), Some(field)) => write!(f, "{loc}, field `{field}`: ")?,
                (Some(loc), None) => write!(f, "{loc}: ")?,
                (None, Some(field)) => write!(f, "`{field}`: ")?,
                (None, None) => {}
            }
        }
        write!(f, "{}", self.message)?;
        if let Some(src) = &self.source {
            let s = src.to_string();
            if !s.is_empty() && !self.message.contains(&s) {
                write!(f, " ({s})")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_file_row_and_field() {
        let e = Error::new(ErrorKind::InvalidValue, "not a number: \"abc\"")
            .file("fac.csv")
            .at("row 3")
            .field("lon");
        assert_eq!(
            e.to_string(),
            "fac.csv, row 3, field `lon`: not a number: \"abc\""
        );
    }
}
