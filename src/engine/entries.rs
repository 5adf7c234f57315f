//! Entry-point coverage: per contract and function, calls, successes and reverts by decoded reason, as a text
//! table (the `fuzz` summary), JSON (`entry-points.json` beside the gate's reports) and the functions of
//! `contracts/src` a campaign never executed successfully (what the gate fails on).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::EntryStats;

/// The text table: one row per entry point of `contracts/src`, never-succeeded ones marked.
pub fn table(entries: &BTreeMap<String, EntryStats>) -> String {
    let mut out = format!(
        "{:<72} {:>8} {:>8} {:>8}  most frequent revert\n",
        "entry point", "calls", "ok", "inner ok"
    );
    for (key, s) in entries.iter().filter(|(_, s)| s.in_src) {
        let top = s
            .top_revert()
            .map(|(reason, n)| format!("{reason} ({n})"))
            .unwrap_or_default();
        let mark = match (&s.unreachable, s.successes + s.inner_successes) {
            (Some(_), _) => " [unreachable]",
            (None, 0) => " [never succeeded]",
            _ => "",
        };
        let _ = writeln!(
            out,
            "{:<72} {:>8} {:>8} {:>8}  {top}{mark}",
            key, s.calls, s.successes, s.inner_successes
        );
    }
    out
}

/// The entry points of `contracts/src` that never executed successfully and that the policy does not declare
/// unreachable.
pub fn never_succeeded(entries: &BTreeMap<String, EntryStats>) -> Vec<&str> {
    entries
        .iter()
        .filter(|(_, s)| {
            s.in_src && s.successes + s.inner_successes == 0 && s.unreachable.is_none()
        })
        .map(|(key, _)| key.as_str())
        .collect()
}

/// The JSON report: `{"format": "poolguard-entry-points/1", "entry_points": {key: stats}}`.
pub fn json(entries: &BTreeMap<String, EntryStats>) -> serde_json::Value {
    serde_json::json!({
        "format": "poolguard-entry-points/1",
        "entry_points": entries,
        "never_succeeded": never_succeeded(entries),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_succeeded_skips_unreachable_successful_and_library_entries() {
        let mut entries = BTreeMap::new();
        let src = |successes, unreachable: Option<&str>| EntryStats {
            in_src: true,
            unreachable: unreachable.map(str::to_string),
            calls: 3,
            successes,
            ..Default::default()
        };
        entries.insert("A.f()".to_string(), src(0, None));
        entries.insert("A.g()".to_string(), src(1, None));
        entries.insert("A.h()".to_string(), src(0, Some("system only")));
        entries.insert(
            "Lib.x()".to_string(),
            EntryStats {
                in_src: false,
                ..Default::default()
            },
        );
        assert_eq!(never_succeeded(&entries), vec!["A.f()"]);
        let text = table(&entries);
        assert!(text.contains("A.f()") && text.contains("[never succeeded]"));
        assert!(text.contains("[unreachable]") && !text.contains("Lib.x()"));
        assert_eq!(json(&entries)["never_succeeded"][0], "A.f()");
    }
}
