//! SARIF 2.1.0 (through `serde-sarif`): one rule per invariant, one result per violation, located at the Solidity
//! file and line of the function the failing call entered (from the source maps), the revert site as a related
//! location, and the shrunk sequence in the message; one result per storage-layout incompatibility, located at
//! the variable's declaration.

use std::path::Path;

use poolguard_invariants::CATALOG;
use serde_sarif::sarif::{
    ArtifactLocation, Location, Message, MultiformatMessageString, PhysicalLocation, Region,
    ReportingDescriptor, Result as SarifResult, ResultLevel, Run, Sarif, Tool, ToolComponent,
    SCHEMA_URL,
};

use super::{Origin, RunSummary};
use crate::sourcemap::SourceLocation;

/// The rule id of storage-layout incompatibilities.
pub const LAYOUT_RULE: &str = "STORAGE-LAYOUT";

/// Renders `summary` as a SARIF 2.1.0 log. Paths are made relative to `base` (the repository root a code
/// scanning service resolves them against) when the suite lies under it.
pub fn render(summary: &RunSummary, base: &Path) -> Result<String, serde_json::Error> {
    let rules: Vec<ReportingDescriptor> = CATALOG
        .iter()
        .map(|inv| {
            ReportingDescriptor::builder()
                .id(inv.id)
                .name(inv.id.replace('-', ""))
                .short_description(
                    MultiformatMessageString::builder()
                        .text(inv.statement)
                        .build(),
                )
                .full_description(
                    MultiformatMessageString::builder()
                        .text(format!(
                            "{} (category {}; broken variant proving the check: {})",
                            inv.statement, inv.category, inv.broken_variant
                        ))
                        .build(),
                )
                .build()
        })
        .collect();
    let mut rules = rules;
    rules.push(
        ReportingDescriptor::builder()
            .id(LAYOUT_RULE)
            .name("StorageLayout")
            .short_description(
                MultiformatMessageString::builder()
                    .text("An upgradeable implementation keeps every state variable where the deployed one has it.")
                    .build(),
            )
            .full_description(
                MultiformatMessageString::builder()
                    .text(
                        "Compared with the committed storage-layout baseline: variables may only be appended; \
                         none may move, change type or disappear (an upgrade would read them from the wrong slot).",
                    )
                    .build(),
            )
            .build(),
    );
    let layout_rule = rules.len() - 1;
    let mut results: Vec<SarifResult> = summary
        .violations
        .iter()
        .map(|v| {
            let f = &v.finding;
            let mut text = format!("{}: {}\n", f.invariant, f.message);
            if let Origin::Regression(path) = &v.origin {
                text.push_str(&format!(
                    "Saved finding {} still reproduces.\n",
                    path.display()
                ));
            }
            text.push_str(&format!(
                "Shrunk sequence ({} steps, from {}; violated at step {}):\n",
                f.sequence.len(),
                f.original_length,
                f.step
            ));
            for line in &f.trace {
                text.push_str(line);
                text.push('\n');
            }
            let rule_index = CATALOG.iter().position(|i| i.id == f.invariant);
            let location = v.location.as_ref();
            let mut result = SarifResult::builder()
                .rule_id(f.invariant.clone())
                .level(ResultLevel::Error)
                .message(Message::builder().text(text).build())
                .build();
            result.rule_index = rule_index.and_then(|i| i64::try_from(i).ok());
            if let Some(entry) = location.and_then(|l| l.entry.as_ref()) {
                let what = location
                    .and_then(|l| l.entry_signature.clone())
                    .unwrap_or_else(|| "the failing call".into());
                result.locations = Some(vec![located(
                    summary,
                    base,
                    entry,
                    &format!("step {} enters {what}", f.step),
                )]);
            }
            if let Some(revert) = location.and_then(|l| l.revert.as_ref()) {
                result.related_locations = Some(vec![located(
                    summary,
                    base,
                    revert,
                    "the call reverted here",
                )]);
            }
            result
        })
        .collect();
    for problem in summary.layout.iter().flat_map(|l| &l.incompatibilities) {
        let mut result = SarifResult::builder()
            .rule_id(LAYOUT_RULE)
            .level(ResultLevel::Error)
            .message(
                Message::builder()
                    .text(format!(
                        "{}: {}: {}",
                        problem.contract, problem.variable, problem.message
                    ))
                    .build(),
            )
            .build();
        result.rule_index = i64::try_from(layout_rule).ok();
        let line = crate::layout::declaration_line(
            &summary.suite_root,
            &problem.source,
            &problem.variable,
        );
        let at = SourceLocation {
            path: problem.source.clone(),
            line: u32::try_from(line).unwrap_or(1),
            column: 1,
            offset: 0,
            length: 0,
        };
        result.locations = Some(vec![located(
            summary,
            base,
            &at,
            &format!("{} is declared here", problem.variable),
        )]);
        results.push(result);
    }
    log(rules, results)
}

/// A SARIF 2.1.0 log of one poolguard run with `rules` and `results`, as pretty JSON.
pub fn log(
    rules: Vec<ReportingDescriptor>,
    results: Vec<SarifResult>,
) -> Result<String, serde_json::Error> {
    let driver = ToolComponent::builder()
        .name("poolguard")
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri("https://example.invalid/poolguard")
        .rules(rules)
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .build();
    let log = Sarif::builder()
        .schema(SCHEMA_URL)
        .version(serde_json::json!("2.1.0"))
        .runs(vec![run])
        .build();
    serde_json::to_string_pretty(&log)
}

fn located(summary: &RunSummary, base: &Path, at: &SourceLocation, message: &str) -> Location {
    let full = summary.suite_root.join(&at.path);
    let uri = full
        .strip_prefix(base)
        .unwrap_or(&full)
        .to_string_lossy()
        .replace('\\', "/");
    let region = Region::builder()
        .start_line(i64::from(at.line))
        .start_column(i64::from(at.column))
        .build();
    Location::builder()
        .physical_location(
            PhysicalLocation::builder()
                .artifact_location(ArtifactLocation::builder().uri(uri).build())
                .region(region)
                .build(),
        )
        .message(Message::builder().text(message).build())
        .build()
}
