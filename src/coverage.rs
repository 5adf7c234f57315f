//! Line coverage: replays sequences (e.g. a campaign's final corpus) under a [`PcTracer`] and turns the executed
//! instructions into per-Solidity-line hit counts through the source maps.
//!
//! Replaying the corpus after the campaign keeps the per-instruction counter off the campaign's hot path; the
//! corpus holds every coverage-increasing sequence, so it covers what the campaign covered.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::actions::Action;
use crate::evm::PcTracer;
use crate::execute::send;
use crate::sourcemap::SourceIndex;
use crate::world::World;

/// Hit counts per line of each Solidity file, and lines covered per contract.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct LineCoverage {
    /// Per file (relative path): line → hits. Every line with code in a deployed contract is present, with
    /// 0 hits when never executed. A line's count is the most any of its instructions ran.
    pub files: BTreeMap<PathBuf, BTreeMap<u32, u64>>,
    /// Per deployed contract: (lines with code, lines hit).
    pub contracts: BTreeMap<String, (usize, usize)>,
}

impl LineCoverage {
    /// Lines with code and lines hit, over all files.
    pub fn totals(&self) -> (usize, usize) {
        self.files.values().fold((0, 0), |(found, hit), lines| {
            (
                found + lines.len(),
                hit + lines.values().filter(|&&h| h > 0).count(),
            )
        })
    }

    /// The coverage as an LCOV tracefile (`SF`/`DA`/`LF`/`LH` records), paths relative to the suite's root.
    pub fn to_lcov(&self) -> String {
        let mut out = String::from("TN:poolguard\n");
        for (path, lines) in &self.files {
            out.push_str(&format!("SF:{}\n", path.display()));
            for (line, hits) in lines {
                out.push_str(&format!("DA:{line},{hits}\n"));
            }
            let hit = lines.values().filter(|&&h| h > 0).count();
            out.push_str(&format!("LF:{}\nLH:{hit}\nend_of_record\n", lines.len()));
        }
        out
    }
}

/// Replays `sequences` from the world's reset state under a [`PcTracer`] and maps the hits to lines.
/// Leaves the world reset.
pub fn collect(
    world: &mut World,
    index: &mut SourceIndex,
    sequences: &[Vec<Action>],
) -> LineCoverage {
    let mut tracer = PcTracer::new();
    for sequence in sequences {
        world.reset();
        for action in sequence {
            // A rejected transaction (e.g. unfundable value) simply covers nothing.
            let _ = send(world, &crate::world::OnChain, action, Some(&mut tracer));
        }
    }
    world.reset();
    from_hits(world, index, &tracer)
}

fn from_hits(world: &World, index: &mut SourceIndex, tracer: &PcTracer) -> LineCoverage {
    let mut coverage = LineCoverage::default();
    // Every deployed code the source maps know, so unexecuted lines count too.
    let mut codes: Vec<_> = world
        .chain
        .code_hashes()
        .into_iter()
        .map(|(_, hash)| hash)
        .collect();
    codes.sort();
    codes.dedup();
    for hash in codes {
        let Some(code) = world.chain.code_by_hash(hash) else {
            continue;
        };
        let Some(contract) = index.identify(hash, &code).map(str::to_owned) else {
            continue;
        };
        let lines = index.lines_by_pc(hash);
        let hits = tracer.hits().get(&hash);
        let mut own: BTreeMap<(u32, u32), u64> = BTreeMap::new();
        for (pc, line) in lines.iter().enumerate() {
            let Some(key) = *line else { continue };
            let count = hits.and_then(|h| h.get(pc)).copied().unwrap_or(0);
            let entry = own.entry(key).or_default();
            *entry = (*entry).max(count);
        }
        let found = own.len();
        let hit = own.values().filter(|&&h| h > 0).count();
        let totals = coverage.contracts.entry(contract).or_default();
        // The same contract may be deployed several times (one proxy per pool): keep the best.
        if hit >= totals.1 {
            *totals = (found, hit);
        }
        for ((file, line), count) in own {
            let Some(path) = index.file(file).map(|f| f.path.clone()) else {
                continue;
            };
            let entry = coverage
                .files
                .entry(path)
                .or_default()
                .entry(line)
                .or_default();
            *entry = (*entry).max(count);
        }
    }
    coverage
}
