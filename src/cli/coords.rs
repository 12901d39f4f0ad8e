//! `lifecircle coords`: convert the coordinates of a table between systems.

use super::args::{parse_crs, parse_encoding};
use clap::Args;
use lifecircle::crs::Crs;
use lifecircle::input::{table::names, CoordinateColumns, Table, TextEncoding};
use lifecircle::output::{write_layer, Format, Kind, Layer, Value};
use lifecircle::{Error, ErrorKind, Result};
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct CoordsArgs {
    /// Input table (CSV or XLSX).
    #[arg(long, value_name = "FILE")]
    pub input: PathBuf,
    /// Output CSV: every column of the input, coordinates converted.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// System of the input: wgs84, cgcs2000, gcj02, bd09 or EPSG:n.
    #[arg(long, value_parser = parse_crs)]
    pub from: Crs,
    /// System of the output.
    #[arg(long, value_parser = parse_crs)]
    pub to: Crs,
    /// Longitude/x column (default: found by name).
    #[arg(long, value_name = "NAME")]
    pub x_column: Option<String>,
    /// Latitude/y column (default: found by name).
    #[arg(long, value_name = "NAME")]
    pub y_column: Option<String>,
    /// Text encoding of the input: auto, utf-8, gbk, gb18030.
    #[arg(long, default_value = "auto", value_parser = parse_encoding)]
    pub encoding: TextEncoding,
}

pub fn run(a: CoordsArgs) -> Result<()> {
    if Format::of(&a.out)? != Format::Csv {
        return Err(Error::new(ErrorKind::InvalidValue, "coords writes a .csv file").file(&a.out));
    }
    let t = Table::read(&a.input, a.encoding)?;
    let cols = CoordinateColumns {
        x: a.x_column.clone(),
        y: a.y_column.clone(),
    };
    let mut pts = t.coordinates(&cols, a.from)?;
    a.from
        .convert(a.to, &mut pts)
        .map_err(|e| e.file(&a.input))?;
    let xi = match &a.x_column {
        Some(n) => t.column(n)?,
        None => t.find_column(names::X).expect("found by coordinates()"),
    };
    let yi = match &a.y_column {
        Some(n) => t.column(n)?,
        None => t.find_column(names::Y).expect("found by coordinates()"),
    };
    let columns: Vec<(&str, Kind)> = t.headers.iter().map(|h| (h.as_str(), Kind::Text)).collect();
    let mut out = Layer::new("coords", &columns);
    for (i, p) in pts.iter().enumerate() {
        let mut vals: Vec<Value> = (0..t.headers.len())
            .map(|c| Value::Text(t.cell(i, c).to_string()))
            .collect();
        vals[xi] = Value::Real(p[0]);
        vals[yi] = Value::Real(p[1]);
        out.push(vals, None);
    }
    write_layer(&a.out, &out)
}
