//! Rendering the SVG maps to PNG with resvg, text in a CJK font from the system.
//!
//! The system fonts are loaded once per process (fontdb scans the usual font folders, e.g.
//! `/usr/share/fonts`); the generic `sans-serif` family is mapped to the first CJK font found
//! (Noto Sans CJK SC from Debian's `fonts-noto-cjk`, else Source Han Sans, WenQuanYi, Droid Sans
//! Fallback), and any character still missing falls back to whichever font has it.

use crate::error::{Error, ErrorKind, Result};
use resvg::tiny_skia::{Pixmap, Transform};
use resvg::usvg::{self, fontdb};
use std::sync::{Arc, OnceLock};

/// CJK fonts looked for, in order of preference.
pub const CJK_FAMILIES: [&str; 7] = [
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Droid Sans Fallback",
];

fn fonts() -> &'static Arc<fontdb::Database> {
    static DB: OnceLock<Arc<fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = fontdb::Database::new();
        db.load_system_fonts();
        if let Some(f) = cjk_family(&db) {
            db.set_sans_serif_family(f);
        }
        Arc::new(db)
    })
}

fn cjk_family(db: &fontdb::Database) -> Option<&'static str> {
    CJK_FAMILIES.into_iter().find(|want| {
        db.faces()
            .any(|f| f.families.iter().any(|(name, _)| name == want))
    })
}

/// The CJK font family the maps are drawn with, `None` when the system has none (Chinese text
/// then shows as missing glyphs; install `fonts-noto-cjk`).
pub fn cjk_font() -> Option<&'static str> {
    cjk_family(fonts())
}

/// Renders an SVG document to PNG bytes at its own size (one pixel per SVG unit).
pub fn render_png(svg: &str) -> Result<Vec<u8>> {
    let opt = usvg::Options {
        fontdb: fonts().clone(),
        font_family: cjk_font().unwrap_or("sans-serif").to_string(),
        ..Default::default()
    };
    let tree = usvg::Tree::from_str(svg, &opt)
        .map_err(|e| Error::new(ErrorKind::Format, format!("cannot read the SVG map: {e}")))?;
    let size = tree.size().to_int_size();
    let mut pixmap = Pixmap::new(size.width(), size.height())
        .ok_or_else(|| Error::new(ErrorKind::InvalidValue, "empty map size"))?;
    resvg::render(&tree, Transform::default(), &mut pixmap.as_mut());
    // Straight (not premultiplied) RGBA, compressed with the fast setting: maps are mostly flat
    // colour, and the default setting spends several times longer for a few per cent.
    let mut rgba = Vec::with_capacity(pixmap.data().len());
    for p in pixmap.pixels() {
        let c = p.demultiply();
        rgba.extend_from_slice(&[c.red(), c.green(), c.blue(), c.alpha()]);
    }
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, size.width(), size.height());
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Fast);
        let mut w = enc
            .write_header()
            .map_err(|e| Error::new(ErrorKind::Io, format!("cannot encode PNG: {e}")))?;
        w.write_image_data(&rgba)
            .map_err(|e| Error::new(ErrorKind::Io, format!("cannot encode PNG: {e}")))?;
    }
    Ok(out)
}
