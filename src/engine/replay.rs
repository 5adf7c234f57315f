//! Replay: re-executes a finding or sequence file (or a raw libFuzzer input) on the suite it names, with a
//! readable trace. The report stage prints the result (`report::replay`).

use std::path::Path;

use super::finding::Finding;
use super::replayable::{load_replayable, Source};
use super::runner::{run_sequence, RunOptions, RunResult, StopOn};
use crate::compile::suite_root;
use crate::fuzzinput::Alphabet;
use crate::observe::Observer;
use crate::world::World;

/// A replayed file.
#[derive(Debug, Clone)]
pub struct Replayed {
    /// The finding (a sequence file or libFuzzer input has no invariant).
    pub finding: Finding,
    /// The run, traced, every step executed.
    pub result: RunResult,
}

impl Replayed {
    /// Whether the replay violated the finding's invariant (any invariant, for a file that names none).
    pub fn reproduced(&self) -> bool {
        if self.finding.invariant.is_empty() {
            !self.result.violations.is_empty()
        } else {
            self.result
                .violations
                .iter()
                .any(|v| v.invariant == self.finding.invariant)
        }
    }
}

/// Replays `file` (a finding or sequence JSON, or a raw libFuzzer input of `target`'s alphabet) on the suite at
/// `contracts`, rebuilt as the variant asked for or else the one the finding records. Notes and warnings go to
/// stderr.
pub fn replay(
    contracts: &Path,
    file: &Path,
    target: Alphabet,
    variant: Option<&str>,
) -> anyhow::Result<Replayed> {
    // The error names the file already.
    let (finding, source) = load_replayable(file, target)?;
    if source == Source::LibFuzzer {
        eprintln!(
            "{}: a libFuzzer input ({target} target): {} actions",
            file.display(),
            finding.sequence.len()
        );
    }
    let root = suite_root(contracts, finding.variant_to_rebuild(variant))?;
    let (mut world, _) = World::build(&root, finding.pools.max(1))?;
    finding.warn_if_other_suite(&world);
    // libFuzzer bytes address actors and pools modulo their counts by design; a JSON file names them exactly.
    if source != Source::LibFuzzer {
        finding
            .check_indices(&world)
            .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    }
    let observer = Observer::new(&world);
    let result = run_sequence(
        &mut world,
        &observer,
        &finding.sequence,
        &StopOn::Never,
        RunOptions {
            collect_coverage: false,
            keep_trace: true,
        },
    );
    Ok(Replayed { finding, result })
}
