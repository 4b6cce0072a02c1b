//! Page images for the app's slip preview, by poppler's `pdftoppm`.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::SlipError;

/// Each page of `pdf` as a PNG at `dpi` (36 to 600), by `pdftoppm -png`
/// (package `poppler-utils`). The PDF goes on `pdftoppm`'s standard input;
/// the pages land in a private temporary folder (mode 0700) that is removed
/// before this returns.
pub fn render_png_pages(pdf: &[u8], dpi: u32) -> Result<Vec<Vec<u8>>, SlipError> {
    if !(36..=600).contains(&dpi) {
        return Err(SlipError::Dpi);
    }
    let dir = tempfile::Builder::new()
        .prefix("ehr-slip-")
        .tempdir()
        .map_err(|_| SlipError::RasterFailed)?;
    let root = dir.path().join("page");
    let mut child = Command::new("pdftoppm")
        .arg("-png")
        .arg("-r")
        .arg(dpi.to_string())
        .arg("-")
        .arg(&root)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|_| SlipError::RasterUnavailable)?;
    let fed = match child.stdin.take() {
        Some(mut stdin) => stdin.write_all(pdf).is_ok(),
        None => false,
    };
    let status = child.wait().map_err(|_| SlipError::RasterFailed)?;
    if !fed || !status.success() {
        return Err(SlipError::RasterFailed);
    }
    // page-1.png, page-2.png … (zero-padded when there are 10 or more).
    let mut files: Vec<(u32, std::path::PathBuf)> = std::fs::read_dir(dir.path())
        .map_err(|_| SlipError::RasterFailed)?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let n = name
                .strip_prefix("page-")?
                .strip_suffix(".png")?
                .parse()
                .ok()?;
            Some((n, e.path()))
        })
        .collect();
    files.sort();
    let pages = files
        .iter()
        .map(|(_, p)| std::fs::read(p).map_err(|_| SlipError::RasterFailed))
        .collect::<Result<Vec<_>, _>>()?;
    if pages.is_empty() {
        return Err(SlipError::RasterFailed);
    }
    dir.close().map_err(|_| SlipError::RasterFailed)?;
    Ok(pages)
}
