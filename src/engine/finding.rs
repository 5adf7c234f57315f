//! The finding file format: one readable JSON file per violated invariant, written by the campaign and read
//! back for replay, export and the gate's regressions. The report stage only renders findings.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::corpus::{from_json_text, write_atomic, CorpusError, SequenceFile, SEQUENCE_FORMAT};
use crate::actions::Action;

/// Format tag of finding files.
pub const FINDING_FORMAT: &str = "poolguard-finding/1";

/// One violated invariant with its shrunk reproducer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Always [`FINDING_FORMAT`].
    pub format: String,
    /// Invariant id.
    pub invariant: String,
    /// Its statement.
    pub statement: String,
    /// What the check said.
    pub message: String,
    /// Index of the failing step in `sequence`.
    pub step: usize,
    /// Campaign seed.
    pub seed: u64,
    /// Worker that found it.
    pub worker: usize,
    /// Length before shrinking.
    pub original_length: usize,
    /// poolguard's version.
    pub poolguard_version: String,
    /// Hash of the suite's runtime bytecode (which contracts it was found on).
    pub suite: String,
    /// The broken variant of the suite it was found on (`poolguard variants`); absent for the suite itself.
    /// `replay` and `export` rebuild that variant unless told otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// When the campaign first saw the violation (before shrinking); absent for a replayed file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<FirstSighting>,
    /// Pools in the world.
    pub pools: usize,
    /// The shrunk sequence (replayable).
    pub sequence: Vec<Action>,
    /// The sequence, decoded: one readable line per step (actor names, arguments, outcome).
    pub trace: Vec<String>,
}

/// When a campaign first saw a violation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirstSighting {
    /// Milliseconds since the campaign started.
    pub elapsed_ms: u64,
    /// Sequences run by then: the runs merged before the epoch it was seen in, plus its worker's own in that
    /// epoch (exact with one worker; the same for the same seed, workers and budget).
    pub run: u64,
}

impl Finding {
    /// The file name of `invariant`'s finding.
    pub fn file_name(invariant: &str) -> String {
        format!("{invariant}.json")
    }

    /// Writes the finding to `dir/<ID>.json` atomically.
    pub fn save(&self, dir: &Path) -> Result<PathBuf, CorpusError> {
        let path = dir.join(Self::file_name(&self.invariant));
        let json = serde_json::to_vec_pretty(self).expect("findings serialize");
        write_atomic(&path, &json)?;
        Ok(path)
    }

    /// Parses a finding file's text; a bare sequence file is accepted too (invariant unknown).
    pub fn parse(text: &str, path: &Path) -> Result<Self, CorpusError> {
        let malformed = |message: String| CorpusError::Malformed {
            path: path.to_path_buf(),
            message,
        };
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| malformed(e.to_string()))?;
        match value.get("format").and_then(|f| f.as_str()) {
            // From the text, not the parsed value, so that an error names its field, line and column.
            Some(FINDING_FORMAT) => from_json_text(text).map_err(malformed),
            Some(SEQUENCE_FORMAT) => {
                let file = SequenceFile::parse(text, path)?;
                Ok(Finding {
                    format: FINDING_FORMAT.to_string(),
                    invariant: String::new(),
                    statement: String::new(),
                    message: String::new(),
                    step: file.actions.len().saturating_sub(1),
                    seed: 0,
                    worker: 0,
                    original_length: file.actions.len(),
                    poolguard_version: env!("CARGO_PKG_VERSION").to_string(),
                    suite: String::new(),
                    variant: None,
                    first_seen: None,
                    pools: 2,
                    sequence: file.actions,
                    trace: Vec::new(),
                })
            }
            other => Err(malformed(format!("unknown format {other:?}"))),
        }
    }

    /// Checks that every step's caller and pool exist in `world` (`caller` indexes the world's actors, `pool` its
    /// pools): a file written by hand or for a bigger world must not wrap around to another account or pool.
    pub fn check_indices(&self, world: &crate::world::World) -> Result<(), String> {
        let actors = world.actors.all().len();
        for (i, action) in self.sequence.iter().enumerate() {
            if usize::from(action.caller) >= actors {
                return Err(format!(
                    "step {i}: \"caller\": {} names no actor (this world has {actors}, 0..={})",
                    action.caller,
                    actors - 1
                ));
            }
            if let Some(pool) = action.op.pool() {
                if usize::from(pool) >= world.pools.len() {
                    return Err(format!(
                        "step {i}: \"pool\": {pool} does not exist (this world has {} pools; the file says \"pools\": {})",
                        world.pools.len(),
                        self.pools
                    ));
                }
            }
        }
        Ok(())
    }

    /// The variant to rebuild for this finding: the one asked for, else the one the finding records. Warns on
    /// stderr when both are given and differ.
    pub fn variant_to_rebuild<'a>(&'a self, asked: Option<&'a str>) -> Option<&'a str> {
        if let (Some(asked), Some(recorded)) = (asked, self.variant.as_deref()) {
            if asked != recorded {
                eprintln!("warning: the finding was made on variant {recorded}; using --variant {asked} as asked");
            }
        }
        asked.or(self.variant.as_deref())
    }

    /// Warns on stderr when `world`'s bytecode is not the one the finding was made on (its `suite` hash).
    pub fn warn_if_other_suite(&self, world: &crate::world::World) {
        let here = world.suite_hash();
        if !self.suite.is_empty() && self.suite != here {
            eprintln!(
                "warning: the finding was made on suite {} but this suite's bytecode hashes to {here}: the contracts \
                 changed since (or another variant is needed); the replay may differ",
                self.suite
            );
        }
    }

    /// Reads a finding file.
    pub fn load(path: &Path) -> Result<Self, CorpusError> {
        let text = std::fs::read_to_string(path).map_err(|source| CorpusError::Io {
            path: path.to_path_buf(),
            error: source,
        })?;
        Self::parse(&text, path)
    }
}
