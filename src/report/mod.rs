//! The report stage: what a campaign (or the CI gate) found, in the formats people and tools read — JUnit XML,
//! SARIF 2.1.0, an HTML page — and reproducers that run without poolguard (a Foundry test, a `cast` script).
//! The finding files themselves are the engine's ([`crate::engine::finding`]); this stage only renders them.
//! Also the text output of the commands that end here: the catalog, the proofs, a replay, an export.

pub mod calldata;
pub mod cast;
pub mod catalog;
pub mod export;
pub mod foundry;
pub mod html;
pub mod junit;
#[cfg(feature = "smt")]
pub mod prove;
pub mod replay;
pub mod sarif;
pub mod steps;

use std::path::PathBuf;
use std::time::Duration;

pub use steps::{plan_sequence, PlannedStep, StepLocation};

use crate::coverage::LineCoverage;
use crate::engine::{CampaignReport, Finding};

/// Where a violation came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Found by this run's campaign.
    Campaign,
    /// A saved finding (or regression) file that still reproduces.
    Regression(PathBuf),
}

/// One violated invariant, ready to report.
#[derive(Debug, Clone)]
pub struct ReportedViolation {
    /// The finding (shrunk sequence, trace, message).
    pub finding: Finding,
    /// Campaign or regression file.
    pub origin: Origin,
    /// Where the failing step ran in the Solidity source, when the source maps tell.
    pub location: Option<StepLocation>,
}

/// The replay of one saved finding or regression file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegressionCheck {
    /// The file.
    pub path: PathBuf,
    /// The invariant it was saved for (empty for a bare sequence).
    pub invariant: String,
    /// Invariants its replay violated (empty: the regression holds).
    pub violated: Vec<String>,
    /// Why it could not be replayed, if it could not.
    pub error: Option<String>,
}

/// Everything one run produced, for the report writers.
#[derive(Debug, Clone, Default)]
pub struct RunSummary {
    /// The suite's root (paths in locations are relative to it).
    pub suite_root: PathBuf,
    /// Campaign seed.
    pub seed: u64,
    /// Worker threads.
    pub workers: usize,
    /// The campaign's figures.
    pub campaign: CampaignReport,
    /// Violations, campaign first, then regressions; at most one per invariant and origin.
    pub violations: Vec<ReportedViolation>,
    /// Replayed finding and regression files.
    pub regressions: Vec<RegressionCheck>,
    /// Per-line coverage of the final corpus, when collected.
    pub coverage: Option<LineCoverage>,
    /// The storage layouts of the upgradeable implementations against the committed baseline; `None` when the
    /// suite has no baseline.
    pub layout: Option<crate::layout::LayoutReport>,
    /// Wall time of the whole run.
    pub elapsed: Duration,
}

impl RunSummary {
    /// Whether anything failed: a violation, a regression file that could not be replayed, or a storage layout
    /// an upgrade would corrupt.
    pub fn failed(&self) -> bool {
        !self.violations.is_empty()
            || self.regressions.iter().any(|r| r.error.is_some())
            || self.layout.as_ref().is_some_and(|l| !l.compatible())
    }

    /// The violations of invariant `id`.
    pub fn violations_of<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a ReportedViolation> {
        self.violations
            .iter()
            .filter(move |v| v.finding.invariant == id)
    }
}
