//! What the benches and test commands share: arguments, percentiles, and
//! replacing a bench's section of `docs/benchmarks.md`.

use std::time::Duration;

/// The value after `name` on the command line (`--ops 10000`).
pub fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// The `p` quantile (0 to 1) of sorted durations.
pub fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Milliseconds with two decimals.
pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// Put `section` (which starts with `heading`, a `## ` line) into the
/// markdown file at `path`, replacing the section of that heading if the
/// file has one.
pub fn write_section(path: &str, heading: &str, section: &str) -> Result<(), String> {
    let old = std::fs::read_to_string(path).unwrap_or_else(|_| "# Benchmarks\n".into());
    let new = match old.find(heading) {
        Some(s) => {
            let rest = &old[s + 3..];
            let tail = rest.find("\n## ").map(|e| &rest[e + 1..]).unwrap_or("");
            let sep = if tail.is_empty() { "" } else { "\n" };
            format!("{}{section}{sep}{tail}", &old[..s])
        }
        None => format!("{}\n\n{section}", old.trim_end()),
    };
    std::fs::write(path, new).map_err(|e| e.to_string())
}
