//! The mutation report: `mutants.json`, `mutants.html` (each survivor's diff) and `mutants.sarif` (one result
//! per survivor, at the mutated line).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_sarif::sarif::{
    ArtifactLocation, Location, Message, MultiformatMessageString, PhysicalLocation, Region,
    ReportingDescriptor, Result as SarifResult, ResultLevel,
};

use super::mutant::{one_line, Mutant};
use super::operators::Operator;
use super::run::Outcome;
use crate::compile::poolguard_command;
use crate::report::html::{esc, CSS};

/// The format tag of `mutants.json`.
pub const MUTANTS_FORMAT: &str = "poolguard-mutants/1";

/// The SARIF rule of a surviving mutant.
pub const SURVIVOR_RULE: &str = "MUTANT-SURVIVED";

/// One mutant and what happened to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MutantResult {
    /// `file:line:operator:n`.
    pub id: String,
    /// File, relative to the suite's root.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// The operator.
    pub operator: Operator,
    /// The replaced text.
    pub original: String,
    /// Its replacement.
    pub replacement: String,
    /// The variant file (`poolguard fuzz --variant FILE` runs the campaign on it; see [`MutationReport::reproduce`]).
    pub variant: PathBuf,
    /// Wall-clock seconds, compile included.
    pub seconds: f64,
    /// The outcome.
    #[serde(flatten)]
    pub outcome: Outcome,
}

impl MutantResult {
    /// `mutant`'s result.
    pub fn new(mutant: &Mutant, variant: PathBuf, seconds: f64, outcome: Outcome) -> Self {
        Self {
            id: mutant.id.clone(),
            file: mutant.file.clone(),
            line: mutant.line,
            operator: mutant.operator,
            original: mutant.original.clone(),
            replacement: mutant.replacement.clone(),
            variant,
            seconds,
            outcome,
        }
    }
}

/// Counts of outcomes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    /// Mutants generated (run or not).
    pub mutants: usize,
    /// Killed by an invariant (or by a failed deployment).
    pub killed: usize,
    /// Not killed within the budget.
    pub survived: usize,
    /// Stopped at the deadline.
    pub timed_out: usize,
    /// Code identical to the suite's.
    pub equivalent: usize,
    /// Rejected by solc.
    pub not_compiling: usize,
    /// Not run yet (an interrupted run).
    pub pending: usize,
}

impl Totals {
    fn add(&mut self, outcome: Option<&Outcome>) {
        self.mutants += 1;
        match outcome {
            Some(Outcome::Killed { .. }) => self.killed += 1,
            Some(Outcome::Survived { .. }) => self.survived += 1,
            Some(Outcome::TimedOut { .. }) => self.timed_out += 1,
            Some(Outcome::Equivalent) => self.equivalent += 1,
            Some(Outcome::NotCompiling { .. }) => self.not_compiling += 1,
            None => self.pending += 1,
        }
    }

    /// killed ÷ (compiled − equivalent), in percent; `None` when nothing non-equivalent ran.
    pub fn score(&self) -> Option<f64> {
        let judged = self.killed + self.survived + self.timed_out;
        (judged > 0).then(|| 100.0 * self.killed as f64 / judged as f64)
    }
}

/// The whole report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MutationReport {
    /// [`MUTANTS_FORMAT`].
    pub format: String,
    /// The suite's root.
    pub suite: PathBuf,
    /// The campaign budget per mutant (`20s`, `500 runs`).
    pub budget: String,
    /// The campaign seed.
    pub seed: u64,
    /// killed ÷ (compiled − equivalent), percent.
    pub score: Option<f64>,
    /// Over all mutants.
    pub totals: Totals,
    /// Per file.
    pub by_file: BTreeMap<String, Totals>,
    /// Per operator.
    pub by_operator: BTreeMap<String, Totals>,
    /// Wall-clock seconds of this invocation.
    pub elapsed_seconds: f64,
    /// Every mutant that ran (in id order); pending ones are counted only.
    pub mutants: Vec<MutantResult>,
}

impl MutationReport {
    /// The report over `all` (every selected mutant) with the results known so far.
    pub fn build(
        suite: PathBuf,
        budget: String,
        seed: u64,
        all: &[Mutant],
        results: &BTreeMap<String, MutantResult>,
        elapsed_seconds: f64,
    ) -> Self {
        let mut totals = Totals::default();
        let mut by_file: BTreeMap<String, Totals> = BTreeMap::new();
        let mut by_operator: BTreeMap<String, Totals> = BTreeMap::new();
        let mut mutants = Vec::new();
        for m in all {
            let result = results.get(&m.id);
            let outcome = result.map(|r| &r.outcome);
            totals.add(outcome);
            by_file.entry(m.file.clone()).or_default().add(outcome);
            by_operator
                .entry(m.operator.name().to_owned())
                .or_default()
                .add(outcome);
            mutants.extend(result.cloned());
        }
        Self {
            format: MUTANTS_FORMAT.to_owned(),
            suite,
            budget,
            seed,
            score: totals.score(),
            totals,
            by_file,
            by_operator,
            elapsed_seconds,
            mutants,
        }
    }

    /// The command that runs the campaign on survivor `m` (its variant of this report's suite).
    pub fn reproduce(&self, m: &MutantResult) -> String {
        poolguard_command(
            &self.suite,
            &["fuzz", "--variant", &m.variant.to_string_lossy()],
        )
    }

    /// The tables printed at the end of a run.
    pub fn summary_text(&self) -> String {
        let mut out = String::new();
        let row = |out: &mut String, name: &str, t: &Totals| {
            let _ = writeln!(
                out,
                "{name:<44} {:>7} {:>6} {:>8} {:>9} {:>10} {:>13} {:>7} {:>6}",
                t.mutants,
                t.killed,
                t.survived,
                t.timed_out,
                t.equivalent,
                t.not_compiling,
                t.pending,
                t.score().map_or("-".to_owned(), |s| format!("{s:.1}%")),
            );
        };
        let header = format!(
            "{:<44} {:>7} {:>6} {:>8} {:>9} {:>10} {:>13} {:>7} {:>6}\n",
            "",
            "mutants",
            "killed",
            "survived",
            "timed-out",
            "equivalent",
            "not-compiling",
            "pending",
            "score"
        );
        out.push_str(&header.replacen(&" ".repeat(44), &format!("{:<44}", "file"), 1));
        for (file, t) in &self.by_file {
            row(&mut out, file, t);
        }
        out.push('\n');
        out.push_str(&header.replacen(&" ".repeat(44), &format!("{:<44}", "operator"), 1));
        for (op, t) in &self.by_operator {
            row(&mut out, op, t);
        }
        out.push('\n');
        row(&mut out, "all", &self.totals);
        out
    }

    /// Writes `mutants.json`, `mutants.html` and `mutants.sarif` into `dir`; SARIF paths are relative to `base`.
    pub fn write(&self, dir: &Path, base: &Path) -> std::io::Result<()> {
        let json = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        write_atomic(&dir.join("mutants.json"), &json)?;
        write_atomic(&dir.join("mutants.html"), self.html().as_bytes())?;
        let sarif = self.sarif(base).map_err(std::io::Error::other)?;
        write_atomic(&dir.join("mutants.sarif"), sarif.as_bytes())
    }

    fn survivors(&self) -> impl Iterator<Item = &MutantResult> {
        self.mutants.iter().filter(|m| {
            matches!(
                m.outcome,
                Outcome::Survived { .. } | Outcome::TimedOut { .. }
            )
        })
    }

    /// The HTML page: the score, the tables, each survivor with its diff and each kill.
    pub fn html(&self) -> String {
        let mut body = String::new();
        let score = self
            .score
            .map_or("no mutant ran".to_owned(), |s| format!("{s:.1}%"));
        let _ = write!(
            body,
            "<h1>poolguard mutate</h1><p class=\"verdict\">Mutation score: <b>{}</b> ({} killed of {} compiled and \
             not equivalent; budget {} per mutant, seed {})</p>",
            esc(&score),
            self.totals.killed,
            self.totals.killed + self.totals.survived + self.totals.timed_out,
            esc(&self.budget),
            self.seed
        );
        let table = |title: &str, rows: &BTreeMap<String, Totals>| {
            let mut t = format!(
                "<h2>By {title}</h2><table><tr><th>{title}</th><th>mutants</th><th>killed</th><th>survived</th>\
                 <th>timed out</th><th>equivalent</th><th>not compiling</th><th>pending</th><th>score</th></tr>"
            );
            for (name, r) in rows {
                let _ = write!(
                    t,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    esc(name),
                    r.mutants,
                    r.killed,
                    r.survived,
                    r.timed_out,
                    r.equivalent,
                    r.not_compiling,
                    r.pending,
                    r.score().map_or("-".to_owned(), |s| format!("{s:.1}%"))
                );
            }
            t.push_str("</table>");
            t
        };
        body.push_str(&table("file", &self.by_file));
        body.push_str(&table("operator", &self.by_operator));
        body.push_str("<h2>Survivors</h2>");
        let mut any = false;
        for m in self.survivors() {
            any = true;
            let _ = write!(
                body,
                "<h3 id=\"{id}\">{id} <span class=\"bad\">{status}</span></h3><pre>{file}:{line}\n- {orig}\n+ {repl}</pre>\
                 <p><code>{reproduce}</code></p>",
                id = esc(&m.id),
                status = m.outcome.status(),
                file = esc(&m.file),
                line = m.line,
                orig = esc(&m.original),
                repl = esc(&m.replacement),
                reproduce = esc(&self.reproduce(m)),
            );
        }
        if !any {
            body.push_str("<p class=\"good\">none</p>");
        }
        body.push_str(
            "<h2>Killed</h2><table><tr><th>mutant</th><th>change</th><th>invariant</th><th>seconds into the campaign</th>\
             <th>shrunk steps</th></tr>",
        );
        for m in &self.mutants {
            if let Outcome::Killed {
                invariant,
                elapsed_ms,
                shrunk_length,
                ..
            } = &m.outcome
            {
                let _ = write!(
                    body,
                    "<tr><td>{}</td><td><code>{}</code> → <code>{}</code></td><td>{}</td><td>{:.1}</td><td>{}</td></tr>",
                    esc(&m.id),
                    esc(&one_line(&m.original)),
                    esc(&one_line(&m.replacement)),
                    esc(invariant),
                    *elapsed_ms as f64 / 1000.0,
                    shrunk_length
                );
            }
        }
        body.push_str("</table>");
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>poolguard — mutants</title>\n\
             <style>{CSS}</style></head><body>\n{body}\n<footer>poolguard {}</footer></body></html>\n",
            env!("CARGO_PKG_VERSION")
        )
    }

    /// The SARIF log: one result per survivor, at the mutated line.
    pub fn sarif(&self, base: &Path) -> Result<String, serde_json::Error> {
        let rule = ReportingDescriptor::builder()
            .id(SURVIVOR_RULE)
            .name("MutantSurvived")
            .short_description(
                MultiformatMessageString::builder()
                    .text("A mutant of this line survived the fuzz campaign: no invariant guards what it changes.")
                    .build(),
            )
            .build();
        let results: Vec<SarifResult> = self
            .survivors()
            .map(|m| {
                let full = self.suite.join(&m.file);
                let uri = full
                    .strip_prefix(base)
                    .unwrap_or(&full)
                    .to_string_lossy()
                    .replace('\\', "/");
                let text = format!(
                    "Mutant {} {} ({} budget): `{}` became `{}` and no invariant fired. Reproduce with \
                     `{}`.",
                    m.id,
                    m.outcome.status(),
                    self.budget,
                    one_line(&m.original),
                    one_line(&m.replacement),
                    self.reproduce(m)
                );
                let mut result = SarifResult::builder()
                    .rule_id(SURVIVOR_RULE)
                    .level(ResultLevel::Warning)
                    .message(Message::builder().text(text).build())
                    .build();
                result.rule_index = Some(0);
                result.locations = Some(vec![Location::builder()
                    .physical_location(
                        PhysicalLocation::builder()
                            .artifact_location(ArtifactLocation::builder().uri(uri).build())
                            .region(
                                Region::builder()
                                    .start_line(i64::try_from(m.line).unwrap_or(1))
                                    .build(),
                            )
                            .build(),
                    )
                    .build()]);
                result
            })
            .collect();
        crate::report::sarif::log(vec![rule], results)
    }
}

/// Writes `bytes` to `path` through a temporary file and a rename.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}
