//! The export command: turns a finding into a reproducer that runs without poolguard, a Foundry test
//! ([`super::foundry`]) or a `cast` script for anvil ([`super::cast`]), after checking that the finding still
//! reproduces on the suite it is exported for.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};

use super::calldata::CalldataDecoder;
use super::{cast as cast_script, foundry as foundry_test, plan_sequence};
use crate::compile::{shell_word, suite_root};
use crate::engine::{run_sequence, Finding, RunOptions, StopOn};
use crate::observe::Observer;
use crate::world::World;

/// What to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// A Foundry test (`.t.sol`).
    FoundryTest,
    /// A bash script of `cast` commands, and the anvil genesis it starts from.
    CastScript,
}

/// Exports the finding in `file` as `format` for the suite at `contracts`, planned on `variant` (default: the
/// variant the finding records, else the suite itself). `out` is the `.t.sol` file (default
/// `<suite>/test/findings/<Contract>.t.sol`) or the script's folder (default `poolguard-cast-<ID>/`). Says on
/// stdout what it wrote and how to run it.
pub fn export(
    contracts: &Path,
    format: ExportFormat,
    file: &Path,
    out: Option<PathBuf>,
    variant: Option<&str>,
) -> anyhow::Result<()> {
    // The error names the file already.
    let finding = Finding::load(file)?;
    let root = suite_root(contracts, finding.variant_to_rebuild(variant))?;
    let (mut world, artifacts) = World::build(&root, finding.pools.max(1))?;
    finding.warn_if_other_suite(&world);
    finding
        .check_indices(&world)
        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    // A reproducer of a suite on which the finding does not reproduce would pass for the wrong reason.
    if !finding.invariant.is_empty() {
        let observer = Observer::new(&world);
        let result = run_sequence(
            &mut world,
            &observer,
            &finding.sequence,
            &StopOn::Never,
            RunOptions::BARE,
        );
        if !result
            .violations
            .iter()
            .any(|v| v.invariant == finding.invariant)
        {
            bail!(
                "{} does not reproduce on {} (the finding was made on {}); nothing exported. Pass --variant NAME \
                 for the suite it was found on",
                finding.invariant,
                root.display(),
                finding.variant.as_deref().map_or("the suite itself".to_string(), |v| format!("variant {v}"))
            );
        }
    }
    let decoder = CalldataDecoder::new(&artifacts);
    let (steps, _) = plan_sequence(&mut world, &finding.sequence, None);
    let id = if finding.invariant.is_empty() {
        "sequence".to_string()
    } else {
        finding.invariant.clone()
    };
    match format {
        ExportFormat::FoundryTest => {
            let path = out.unwrap_or_else(|| {
                root.join(foundry_test::EXPORT_DIR)
                    .join(format!("{}.t.sol", foundry_test::contract_name(&finding)))
            });
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
            }
            let text = foundry_test::render(&finding, &steps, &world, &decoder);
            std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
            println!("wrote {}", path.display());
            // forge only runs tests under the suite's root: a test written elsewhere is copied in first.
            let canonical = |p: &std::path::Path| std::fs::canonicalize(p).ok();
            let copy = match (canonical(&path), canonical(&root)) {
                (Some(file), Some(dir)) if file.starts_with(&dir) => String::new(),
                _ => {
                    let dest = root.join(foundry_test::EXPORT_DIR);
                    let dest = shell_word(&dest.to_string_lossy());
                    format!(
                        "mkdir -p {dest} && cp {} {dest} && ",
                        shell_word(&path.to_string_lossy()),
                    )
                }
            };
            println!(
                "run it: {copy}cd {} && npx --no-install forge test --use ./solc-front.js --offline --match-contract {} -vv",
                shell_word(&root.to_string_lossy()),
                foundry_test::contract_name(&finding)
            );
        }
        ExportFormat::CastScript => {
            let dir = out.unwrap_or_else(|| PathBuf::from(format!("poolguard-cast-{id}")));
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            let genesis = dir.join("genesis.json");
            std::fs::write(
                &genesis,
                serde_json::to_vec_pretty(&cast_script::genesis(&world))?,
            )
            .with_context(|| format!("writing {}", genesis.display()))?;
            let script = dir.join("replay.sh");
            let tools = root.join("node_modules").join(".bin");
            let tools = std::fs::canonicalize(&tools).unwrap_or(tools);
            let text =
                cast_script::render(&finding, &steps, &world, &decoder, "genesis.json", &tools);
            std::fs::write(&script, text)
                .with_context(|| format!("writing {}", script.display()))?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
                    .with_context(|| format!("making {} executable", script.display()))?;
            }
            println!("wrote {} and {}", script.display(), genesis.display());
            println!(
                "review it, then run: {} (--keep leaves anvil running for inspection)",
                shell_word(&script.to_string_lossy())
            );
        }
    }
    Ok(())
}
