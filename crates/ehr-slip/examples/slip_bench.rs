//! Bench: render the bilingual sample slip (goal <= 50 ms, <= 200 KB).
//!
//! ```sh
//! cargo run --release -p ehr-slip --example slip_bench -- 30
//! ```
//!
//! The fonts are loaded once, outside the timed part (as the app does at
//! start-up), and that load is reported on its own. Prints one JSON line.

use std::time::{Duration, Instant};

use ehr_slip::{render_slip, sample_slip, Fonts, SlipLang};

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(30)
        .max(1);
    let mut loads = Vec::new();
    let mut fonts = None;
    for _ in 0..5 {
        let t = Instant::now();
        fonts = Some(Fonts::load_system()?);
        loads.push(t.elapsed());
    }
    let fonts = fonts.ok_or("no fonts")?;
    let slip = sample_slip(SlipLang::Both)?;
    // One warm-up render.
    let mut bytes = render_slip(&slip, &fonts)?.len();
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let pdf = render_slip(&slip, &fonts)?;
        times.push(t.elapsed());
        bytes = pdf.len();
    }
    let min = times.iter().min().copied().unwrap_or_default();
    let max = times.iter().max().copied().unwrap_or_default();
    println!(
        "{{\"runs\":{n},\"render_median_ms\":{:.1},\"render_min_ms\":{:.1},\"render_max_ms\":{:.1},\"bytes\":{bytes},\"font_load_median_ms\":{:.1}}}",
        ms(median(times)),
        ms(min),
        ms(max),
        ms(median(loads)),
    );
    Ok(())
}
