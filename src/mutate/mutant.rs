//! Mutants: the operators' replacements made into numbered, self-contained variants of the suite.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::operators::{replacements, Operator};
use crate::variants::{Edit, Variant};

/// One mutant: a single replacement in one file of the suite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mutant {
    /// `file:line:operator:n`, e.g. `src/core/StakingPool.sol:120:flip-comparison:0`; `n` counts the mutants of
    /// that operator on that line in source order, so ids are stable while the line is unchanged.
    pub id: String,
    /// File, relative to the suite's root.
    pub file: String,
    /// 1-based line of the first replaced byte.
    pub line: usize,
    /// The operator.
    pub operator: Operator,
    /// The replaced text.
    pub original: String,
    /// Its replacement.
    pub replacement: String,
    /// The edit as a variant edit (whole lines, unique in the file).
    pub edit: Edit,
}

impl Mutant {
    /// The mutant's file name stem: its id with every character outside `[A-Za-z0-9_.-]` replaced, e.g.
    /// `core.StakingPool.sol-120-flip-comparison-0`.
    pub fn slug(&self) -> String {
        let id = self.id.strip_prefix("src/").unwrap_or(&self.id);
        id.chars()
            .map(|c| match c {
                '/' => '.',
                ':' => '-',
                c if c.is_ascii_alphanumeric() || "_.-".contains(c) => c,
                _ => '_',
            })
            .collect()
    }

    /// The mutant as a variant of the suite (the format `fuzz --variant`, `replay` and the exports read).
    pub fn to_variant(&self) -> Variant {
        Variant {
            name: self.slug(),
            invariant: "unknown (a generated mutant)".to_owned(),
            description: format!(
                "mutant {}: `{}` becomes `{}`",
                self.id,
                one_line(&self.original),
                one_line(&self.replacement)
            ),
            edits: vec![self.edit.clone()],
        }
    }
}

/// `text` on one line, shortened to 120 characters.
pub fn one_line(text: &str) -> String {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if joined.chars().count() > 120 {
        format!("{}…", joined.chars().take(119).collect::<String>())
    } else {
        joined
    }
}

/// 1-based line of byte `offset`.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset].bytes().filter(|b| *b == b'\n').count() + 1
}

/// The whole lines around `start..end`, widened a line at a time until their text occurs once in `text`, as
/// `(from, to)` byte offsets.
fn unique_lines(text: &str, start: usize, end: usize) -> (usize, usize) {
    let mut from = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let mut to = text[end..].find('\n').map_or(text.len(), |i| end + i);
    loop {
        if text.matches(&text[from..to]).count() == 1 || (from == 0 && to == text.len()) {
            return (from, to);
        }
        if from > 0 {
            from = text[..from - 1].rfind('\n').map_or(0, |i| i + 1);
        }
        if to < text.len() {
            to = text[to + 1..].find('\n').map_or(text.len(), |i| to + 1 + i);
        }
    }
}

/// Every mutant of the file `file` (relative to the suite's root), whose content is `text` and whose solc AST
/// is `ast`; replacements that change nothing are skipped.
pub fn mutants_of(file: &str, text: &str, ast: &serde_json::Value) -> Vec<Mutant> {
    let mut numbered: BTreeMap<(usize, Operator), usize> = BTreeMap::new();
    let mut out = Vec::new();
    for r in replacements(ast, text) {
        let original = &text[r.start..r.end];
        if original == r.replacement {
            continue;
        }
        let line = line_of(text, r.start);
        let n = numbered.entry((line, r.operator)).or_default();
        let id = format!("{file}:{line}:{}:{n}", r.operator);
        *n += 1;
        let (from, to) = unique_lines(text, r.start, r.end);
        let find = text[from..to].to_owned();
        let replace = format!(
            "{}{}{}",
            &text[from..r.start],
            r.replacement,
            &text[r.end..to]
        );
        out.push(Mutant {
            id,
            file: file.to_owned(),
            line,
            operator: r.operator,
            original: original.to_owned(),
            replacement: r.replacement,
            edit: Edit {
                file: file.to_owned(),
                find,
                replace,
            },
        });
    }
    out
}

/// The lines of each file under `root/src` changed since the git revision `rev` (added or modified lines of
/// the working tree, 1-based), from `git diff -U0`.
pub fn changed_lines(root: &Path, rev: &str) -> anyhow::Result<BTreeMap<String, BTreeSet<usize>>> {
    use anyhow::{bail, Context as _};
    let output = std::process::Command::new("git")
        .args([
            "diff",
            "--no-color",
            "--no-ext-diff",
            "--relative",
            "-U0",
            rev,
            "--",
            "src",
        ])
        .current_dir(root)
        .output()
        .with_context(|| format!("running git in {}", root.display()))?;
    if !output.status.success() {
        bail!(
            "`git diff {rev}` in {} failed: {}",
            root.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let mut changed: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    let mut file: Option<String> = None;
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        if let Some(path) = line.strip_prefix("+++ ") {
            file = path.strip_prefix("b/").map(str::to_owned);
        } else if let (Some(hunk), Some(file)) = (line.strip_prefix("@@ "), &file) {
            // `@@ -a,b +c,d @@`: d lines from c (d omitted: 1; 0: a pure deletion, which touches line c).
            let Some(new) = hunk.split_whitespace().find(|w| w.starts_with('+')) else {
                continue;
            };
            let mut parts = new[1..].split(',');
            let start: usize = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
            let count: usize = parts.next().and_then(|s| s.parse().ok()).unwrap_or(1);
            let lines = changed.entry(file.clone()).or_default();
            lines.extend(start.max(1)..start.max(1) + count.max(1));
        }
    }
    Ok(changed)
}

/// Where `variant` files go for the mutants: `DIR/variants/<slug>.json`.
pub fn variant_path(out: &Path, mutant: &Mutant) -> PathBuf {
    out.join("variants").join(format!("{}.json", mutant.slug()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_lines_widen_until_the_text_occurs_once() {
        let text = "a\nx = 1;\nb\nx = 1;\nc";
        let at = text.find("x = 1").unwrap();
        let (from, to) = unique_lines(text, at, at + 5);
        assert_eq!(&text[from..to], "a\nx = 1;\nb");
        let (from, to) = unique_lines(text, 0, 1);
        assert_eq!(&text[from..to], "a");
    }

    #[test]
    fn slugs_are_file_names() {
        let m = Mutant {
            id: "src/core/A.sol:12:flip-comparison:0".into(),
            file: "src/core/A.sol".into(),
            line: 12,
            operator: Operator::FlipComparison,
            original: "<".into(),
            replacement: "<=".into(),
            edit: Edit {
                file: "src/core/A.sol".into(),
                find: String::new(),
                replace: String::new(),
            },
        };
        assert_eq!(m.slug(), "core.A.sol-12-flip-comparison-0");
    }
}
