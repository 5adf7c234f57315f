//! The campaign report as one self-contained HTML file (inline CSS and SVG, no scripts, nothing fetched):
//! invariants and their status, violations with their shrunk sequence and source location, calls and reverts per
//! action, coverage per contract and per line of the suite's own sources, throughput and edges over time.

use std::fmt::Write as _;
use std::path::Path;

use poolguard_invariants::CATALOG;

use super::{Origin, RunSummary};
use crate::engine::TimelineSample;

/// Renders `summary` as an HTML page; `title` heads it (e.g. the suite or variant name).
pub fn render(summary: &RunSummary, title: &str) -> String {
    let mut out = String::with_capacity(256 * 1024);
    let p = &summary.campaign.progress;
    let rate = p.calls as f64 / p.elapsed.as_secs_f64().max(1e-9);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>poolguard — {t}</title>\n<style>{CSS}</style></head><body>\n\
         <h1>poolguard report — {t}</h1>\n<p class=\"verdict {vc}\">{verdict}</p>\n<table class=\"kv\">\
         <tr><th>seed</th><td>{seed}</td><th>workers</th><td>{workers}</td><th>wall time</th><td>{wall:.1} s</td></tr>\
         <tr><th>runs</th><td>{runs}</td><th>calls</th><td>{calls}</td><th>calls/s</th><td>{rate:.0}</td></tr>\
         <tr><th>edges</th><td>{edges}</td><th>corpus</th><td>{corpus}</td><th>regression files</th><td>{regs}</td></tr></table>\n",
        t = esc(title),
        vc = if summary.failed() { "bad" } else { "good" },
        verdict = if summary.failed() {
            format!("{} invariant violation(s)", summary.violations.len())
        } else {
            "every invariant held".to_string()
        },
        seed = summary.seed,
        workers = summary.workers,
        wall = summary.elapsed.as_secs_f64(),
        runs = p.runs,
        calls = p.calls,
        edges = p.edges,
        corpus = p.corpus,
        regs = summary.regressions.len(),
    );

    out.push_str("<h2>Invariants</h2>\n<table><tr><th>id</th><th>category</th><th>statement</th><th>status</th></tr>\n");
    for inv in CATALOG {
        let status = match summary.violations_of(inv.id).next() {
            None => "<td class=\"good\">held</td>".to_string(),
            Some(v) => format!(
                "<td class=\"bad\"><a href=\"#v-{id}\">VIOLATED</a> ({})</td>",
                origin(&v.origin),
                id = inv.id
            ),
        };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td>{status}</tr>",
            inv.id,
            inv.category,
            esc(inv.statement)
        );
    }
    out.push_str("</table>\n");

    if !summary.violations.is_empty() {
        out.push_str("<h2>Violations</h2>\n");
        for v in &summary.violations {
            let f = &v.finding;
            let _ = write!(
                out,
                "<section id=\"v-{id}\"><h3>{id} — {origin}</h3><p>{msg}</p>",
                id = esc(&f.invariant),
                origin = origin(&v.origin),
                msg = esc(&f.message)
            );
            if let Some(entry) = v.location.as_ref().and_then(|l| l.entry.as_ref()) {
                let sig = v
                    .location
                    .as_ref()
                    .and_then(|l| l.entry_signature.clone())
                    .unwrap_or_default();
                let _ = write!(
                    out,
                    "<p>failing call enters <code>{}</code> at <code>{}:{}</code></p>",
                    esc(&sig),
                    esc(&entry.path.display().to_string()),
                    entry.line
                );
            }
            if let Some(revert) = v.location.as_ref().and_then(|l| l.revert.as_ref()) {
                let _ = write!(
                    out,
                    "<p>reverted at <code>{}:{}</code></p>",
                    esc(&revert.path.display().to_string()),
                    revert.line
                );
            }
            if let Some(seen) = &f.first_seen {
                let _ = write!(
                    out,
                    "<p>first seen after {:.2} s, at run {}</p>",
                    seen.elapsed_ms as f64 / 1000.0,
                    seen.run
                );
            }
            let _ = write!(
                out,
                "<p>shrunk to {} steps (from {}), violated at step {}:</p><pre>",
                f.sequence.len(),
                f.original_length,
                f.step
            );
            for line in &f.trace {
                out.push_str(&esc(line));
                out.push('\n');
            }
            out.push_str("</pre></section>\n");
        }
    }

    out.push_str("<h2>Throughput and coverage over time</h2>\n<div class=\"plots\">");
    out.push_str(&plot(
        "calls/s",
        &throughput(&summary.campaign.timeline),
        "#2b6cb0",
    ));
    let edges: Vec<(f64, f64)> = summary
        .campaign
        .timeline
        .iter()
        .map(|s| (s.elapsed.as_secs_f64(), s.edges as f64))
        .collect();
    out.push_str(&plot("edges", &edges, "#2f855a"));
    out.push_str("</div>\n");

    out.push_str("<h2>Calls and reverts per action</h2>\n<table><tr><th>action</th><th>steps</th><th>calls</th><th>reverts</th><th>revert %</th><th>most frequent revert</th></tr>\n");
    for (op, s) in &summary.campaign.ops {
        let pct = 100.0 * s.reverts as f64 / (s.calls.max(1)) as f64;
        let top = s
            .top_revert()
            .map(|(reason, n)| format!("{reason} ({n})"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{pct:.0}%{}</td><td>{}</td></tr>",
            esc(op),
            s.steps,
            s.calls,
            s.reverts,
            bar(pct),
            esc(&top)
        );
    }
    out.push_str("</table>\n");

    out.push_str("<h2>Entry points</h2>\n<table><tr><th>entry point</th><th>calls</th><th>ok</th><th>inner ok</th><th>most frequent revert</th></tr>\n");
    for (key, e) in summary.campaign.entries.iter().filter(|(_, e)| e.in_src) {
        let top = e
            .top_revert()
            .map(|(reason, n)| format!("{reason} ({n})"))
            .unwrap_or_default();
        let note = match (&e.unreachable, e.successes + e.inner_successes) {
            (Some(why), _) => format!(" <em>unreachable: {}</em>", esc(why)),
            (None, 0) => " <strong>never succeeded</strong>".to_string(),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "<tr><td>{}{note}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(key),
            e.calls,
            e.successes,
            e.inner_successes,
            esc(&top)
        );
    }
    out.push_str("</table>\n");

    if let Some(cov) = &summary.coverage {
        let (found, hit) = cov.totals();
        let _ = writeln!(
            out,
            "<h2>Coverage (lines hit by the final corpus)</h2>\n<p>{hit} of {found} lines ({:.1}%)</p>",
            100.0 * hit as f64 / found.max(1) as f64
        );
        out.push_str("<table><tr><th>contract</th><th>lines</th><th>hit</th><th>%</th></tr>\n");
        for (name, (found, hit)) in &cov.contracts {
            let pct = 100.0 * *hit as f64 / (*found).max(1) as f64;
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{found}</td><td>{hit}</td><td>{pct:.0}%{}</td></tr>",
                esc(name),
                bar(pct)
            );
        }
        out.push_str("</table>\n<h3>Per line (the suite's own sources)</h3>\n");
        for (path, lines) in &cov.files {
            if !path.starts_with("src") {
                continue;
            }
            let text = std::fs::read_to_string(summary.suite_root.join(path)).unwrap_or_default();
            let hit = lines.values().filter(|&&h| h > 0).count();
            let _ = write!(
                out,
                "<details><summary><code>{}</code> — {hit}/{} lines</summary><pre class=\"src\">",
                esc(&path.display().to_string()),
                lines.len()
            );
            for (i, line) in text.lines().enumerate() {
                let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
                let (class, count) = match lines.get(&n) {
                    Some(0) => ("miss", "0".to_string()),
                    Some(h) => ("hit", h.to_string()),
                    None => ("", String::new()),
                };
                let _ = writeln!(
                    out,
                    "<span class=\"{class}\"><i>{n:>5}</i><b>{count:>8}</b> {}</span>",
                    esc(line)
                );
            }
            out.push_str("</pre></details>\n");
        }
    }
    out.push_str("<footer>poolguard ");
    out.push_str(env!("CARGO_PKG_VERSION"));
    out.push_str("</footer></body></html>\n");
    out
}

/// Writes the report to `path`.
pub fn write(summary: &RunSummary, title: &str, path: &Path) -> std::io::Result<()> {
    std::fs::write(path, render(summary, title))
}

fn origin(origin: &Origin) -> String {
    match origin {
        Origin::Campaign => "found by the campaign".into(),
        Origin::Regression(path) => format!(
            "saved finding {} reproduces",
            esc(&path.display().to_string())
        ),
    }
}

fn throughput(timeline: &[TimelineSample]) -> Vec<(f64, f64)> {
    let mut prev = TimelineSample::default();
    timeline
        .iter()
        .map(|s| {
            let dt = (s.elapsed.saturating_sub(prev.elapsed))
                .as_secs_f64()
                .max(1e-9);
            let rate = (s.calls - prev.calls) as f64 / dt;
            prev = *s;
            (s.elapsed.as_secs_f64(), rate)
        })
        .collect()
}

/// A line plot as inline SVG (x: seconds).
fn plot(label: &str, points: &[(f64, f64)], color: &str) -> String {
    const W: f64 = 460.0;
    const H: f64 = 180.0;
    const PAD: f64 = 40.0;
    let max_x = points.iter().map(|p| p.0).fold(0.0, f64::max).max(1e-9);
    let max_y = points.iter().map(|p| p.1).fold(0.0, f64::max).max(1.0);
    let path: Vec<String> = points
        .iter()
        .map(|(x, y)| {
            format!(
                "{:.1},{:.1}",
                PAD + x / max_x * (W - PAD - 10.0),
                H - PAD / 2.0 - y / max_y * (H - PAD)
            )
        })
        .collect();
    format!(
        "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" role=\"img\" aria-label=\"{label} over time\">\
         <rect width=\"100%\" height=\"100%\" fill=\"#fff\" stroke=\"#ccc\"/>\
         <line x1=\"{PAD}\" y1=\"{b}\" x2=\"{r}\" y2=\"{b}\" stroke=\"#999\"/><line x1=\"{PAD}\" y1=\"{t}\" x2=\"{PAD}\" y2=\"{b}\" stroke=\"#999\"/>\
         <text x=\"4\" y=\"{t2}\" font-size=\"11\">{max_y:.0}</text><text x=\"{PAD}\" y=\"{H}\" font-size=\"11\">0 s</text>\
         <text x=\"{r2}\" y=\"{H}\" font-size=\"11\">{max_x:.1} s</text>\
         <polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{pts}\"/></svg>\
         <figcaption>{label} over time ({n} epochs)</figcaption></figure>",
        b = H - PAD / 2.0,
        r = W - 10.0,
        t = PAD / 2.0,
        t2 = PAD / 2.0 + 4.0,
        r2 = W - 50.0,
        pts = path.join(" "),
        n = points.len(),
    )
}

fn bar(pct: f64) -> String {
    format!(
        "<span class=\"bar\"><span style=\"width:{:.0}%\"></span></span>",
        pct.clamp(0.0, 100.0)
    )
}

/// Escapes text for HTML.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

pub(crate) const CSS: &str = "body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1200px}\
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;font-size:14px}\
.kv th{background:#f4f4f4}.good{color:#276749}.bad{color:#c53030;font-weight:bold}\
.verdict{font-size:20px}pre{background:#f7f7f7;padding:8px;overflow-x:auto;font-size:12px}\
.src span{display:block}.src i{color:#999;font-style:normal}.src b{font-weight:normal;color:#555}\
.src .hit{background:#e6ffed}.src .miss{background:#ffeef0}.plots{display:flex;gap:2em;flex-wrap:wrap}\
.bar{display:inline-block;width:80px;height:8px;background:#eee;margin-left:6px}.bar span{display:block;height:8px;background:#4a5568}\
figure{margin:0}figcaption{font-size:12px;color:#555}footer{margin-top:3em;color:#999;font-size:12px}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(esc("a<b & \"c\">"), "a&lt;b &amp; &quot;c&quot;&gt;");
    }

    #[test]
    fn throughput_is_calls_per_second_between_samples() {
        let s = |secs, calls| TimelineSample {
            elapsed: std::time::Duration::from_secs(secs),
            calls,
            edges: 0,
        };
        let rates = throughput(&[s(1, 100), s(3, 500)]);
        assert_eq!(rates, vec![(1.0, 100.0), (3.0, 200.0)]);
    }
}
