//! Errors as Python sees them: every library [`Error`] becomes a `LifecircleError` with the same
//! message as on the command line and a `kind`, and the checks of arguments given from Python
//! fail the same way.

use lifecircle::{Error, ErrorKind};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;

create_exception!(
    _lifecircle,
    LifecircleError,
    PyException,
    "An input, setting or computation lifecircle cannot use. The message names the file, row and \
     field, as on the command line; `kind` says what went wrong (io, format, missing_field, \
     invalid_value, empty, crs, mismatch)."
);

/// The name of an error kind, as the exception's `kind` attribute gives it.
pub(crate) fn kind_name(k: ErrorKind) -> &'static str {
    match k {
        ErrorKind::Io => "io",
        ErrorKind::Format => "format",
        ErrorKind::MissingField => "missing_field",
        ErrorKind::InvalidValue => "invalid_value",
        ErrorKind::Empty => "empty",
        ErrorKind::Crs => "crs",
        ErrorKind::Mismatch => "mismatch",
    }
}

/// The library error as a Python `LifecircleError` with its `kind`.
pub(crate) fn py_err(e: Error) -> PyErr {
    let err = LifecircleError::new_err(e.to_string());
    Python::attach(|py| {
        // Setting an attribute on a fresh exception instance cannot fail in practice; the
        // message is what matters if it does.
        let _ = err.value(py).setattr("kind", kind_name(e.kind()));
    });
    err
}

/// A library result as a Python result (its error a `LifecircleError`).
pub(crate) trait OrPy<T> {
    /// The result with its error turned into a `LifecircleError` by [`py_err`].
    fn py(self) -> PyResult<T>;
}

impl<T> OrPy<T> for lifecircle::Result<T> {
    fn py(self) -> PyResult<T> {
        self.map_err(py_err)
    }
}

/// An `invalid_value` error about the argument `field`.
pub(crate) fn invalid(msg: String, field: &str) -> PyErr {
    py_err(Error::new(ErrorKind::InvalidValue, msg).field(field))
}

/// Parses an optional text argument (a CRS, an encoding, a method, ...); an error names `field`.
pub(crate) fn parse<T: std::str::FromStr<Err = Error>>(
    s: Option<&str>,
    field: &str,
) -> PyResult<Option<T>> {
    s.map(|s| s.parse::<T>().map_err(|e| py_err(e.field(field))))
        .transpose()
}

/// `v` if it lies in `range` (one of [`lifecircle::bounds`]), else an error naming the
/// argument `field` and the range.
pub(crate) fn in_range(range: lifecircle::bounds::Range, v: f64, field: &str) -> PyResult<f64> {
    range.check(v, field).map_err(py_err)
}

/// As [`in_range`], for a whole number.
pub(crate) fn count_in_range(
    range: lifecircle::bounds::Range,
    n: usize,
    field: &str,
) -> PyResult<usize> {
    range.check_count(n, field).map_err(py_err)
}
