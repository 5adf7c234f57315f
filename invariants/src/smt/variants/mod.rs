//! Deliberately broken copies of the suite, one per negative control, as small textual patches.
//!
//! Each [`Variant`] is a list of [`Edit`]s: in one file under `contracts/`, replace one exact snippet (which
//! must occur exactly once, so a patch that no longer matches the contracts fails loudly instead of testing
//! the unpatched code) by another. `tests/prove.rs` copies `contracts/` to a scratch folder, applies a variant,
//! compiles it, deploys it into revm and replays the matching negative control's counterexample on it.

use std::fmt;
use std::fs;
use std::io;
use std::path::Path;

/// One replacement in one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edit {
    /// Path relative to the suite's root (`contracts/`), e.g. `src/core/StBERA.sol`.
    pub file: &'static str,
    /// The exact snippet to replace; must occur exactly once.
    pub find: &'static str,
    /// What replaces it.
    pub replace: &'static str,
}

/// A broken copy of the suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Variant {
    /// Short name, e.g. `redeem-ceil`.
    pub name: &'static str,
    /// What is wrong with it.
    pub description: &'static str,
    /// The patch.
    pub edits: &'static [Edit],
}

/// Why a variant could not be applied.
#[derive(Debug)]
pub enum ApplyError {
    /// Reading or writing a file failed.
    Io(io::Error),
    /// The snippet occurs `count` times (not once) in `file`.
    NoUniqueMatch {
        /// The variant.
        variant: &'static str,
        /// The file.
        file: &'static str,
        /// How often the snippet occurs.
        count: usize,
    },
}

impl fmt::Display for ApplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApplyError::Io(e) => write!(f, "I/O error: {e}"),
            ApplyError::NoUniqueMatch {
                variant,
                file,
                count,
            } => {
                write!(f, "variant {variant}: the snippet to replace occurs {count} times in {file} (expected once)")
            }
        }
    }
}

impl std::error::Error for ApplyError {}

impl From<io::Error> for ApplyError {
    fn from(e: io::Error) -> Self {
        ApplyError::Io(e)
    }
}

impl Variant {
    /// Applies the patch to the suite rooted at `root` (a copy of `contracts/`), in place.
    pub fn apply(&self, root: &Path) -> Result<(), ApplyError> {
        for edit in self.edits {
            let path = root.join(edit.file);
            let text = fs::read_to_string(&path)?;
            let count = text.matches(edit.find).count();
            if count != 1 {
                return Err(ApplyError::NoUniqueMatch {
                    variant: self.name,
                    file: edit.file,
                    count,
                });
            }
            fs::write(&path, text.replacen(edit.find, edit.replace, 1))?;
        }
        Ok(())
    }
}

const STBERA: &str = "src/core/StBERA.sol";
const FEE_MATH: &str = "src/core/FeeMath.sol";
const POOL: &str = "src/core/StakingPool.sol";
const VAULT: &str = "src/core/WithdrawalVault.sol";

/// Every variant used by a negative control.
pub const VARIANTS: &[Variant] = &[
    Variant {
        name: "redeem-ceil",
        description: "StBERA.previewRedeem rounds up",
        edits: &[Edit {
            file: STBERA,
            find: "function previewRedeem(uint256 shares) public view returns (uint256) {\n        return _toAssets(shares, Math.Rounding.Floor);",
            replace: "function previewRedeem(uint256 shares) public view returns (uint256) {\n        return _toAssets(shares, Math.Rounding.Ceil);",
        }],
    },
    Variant {
        name: "withdraw-floor",
        description: "StBERA.previewWithdraw rounds down",
        edits: &[Edit {
            file: STBERA,
            find: "function previewWithdraw(uint256 assets) public view returns (uint256) {\n        return _toShares(assets, Math.Rounding.Ceil);",
            replace: "function previewWithdraw(uint256 assets) public view returns (uint256) {\n        return _toShares(assets, Math.Rounding.Floor);",
        }],
    },
    Variant {
        name: "mint-floor",
        description: "StBERA.previewMint rounds down",
        edits: &[Edit {
            file: STBERA,
            find: "function previewMint(uint256 shares) public view returns (uint256) {\n        return _toAssets(shares, Math.Rounding.Ceil);",
            replace: "function previewMint(uint256 shares) public view returns (uint256) {\n        return _toAssets(shares, Math.Rounding.Floor);",
        }],
    },
    Variant {
        name: "deposit-ceil",
        description: "StBERA.previewDeposit (and so submit) rounds up",
        edits: &[Edit {
            file: STBERA,
            find: "function previewDeposit(uint256 assets) public view returns (uint256) {\n        return _toShares(assets, Math.Rounding.Floor);",
            replace: "function previewDeposit(uint256 assets) public view returns (uint256) {\n        return _toShares(assets, Math.Rounding.Ceil);",
        }],
    },
    Variant {
        name: "deposit-wrapping",
        description: "StBERA.previewDeposit as unchecked assets*(supply+1)/(totalAssets+1) instead of mulDiv",
        edits: &[Edit {
            file: STBERA,
            find: "function previewDeposit(uint256 assets) public view returns (uint256) {\n        return _toShares(assets, Math.Rounding.Floor);",
            replace: "function previewDeposit(uint256 assets) public view returns (uint256) {\n        unchecked {\n            return assets * (totalSupply() + 1) / (totalAssets() + 1);\n        }",
        }],
    },
    Variant {
        name: "no-dead-shares",
        description: "StakingPool.activate mints no dead shares and counts no first deposit: the pool starts empty",
        edits: &[Edit {
            file: POOL,
            find: "        totalDeposits = Constants.FIRST_DEPOSIT_AMOUNT;\n        deadShares = Constants.FIRST_DEPOSIT_AMOUNT;\n        _mint(defaultSharesRecipient, Constants.FIRST_DEPOSIT_AMOUNT);\n",
            replace: "",
        }],
    },
    Variant {
        name: "fee-before-reward",
        description: "StakingPool.updateTotalDeposits charges fees before adding the reward to totalDeposits",
        edits: &[Edit {
            file: POOL,
            find: "            totalDeposits += reward;\n            _chargeFees(reward);",
            replace: "            _chargeFees(reward);\n            totalDeposits += reward;",
        }],
    },
    Variant {
        name: "cap-25",
        description: "commission and protocol fee capped at 25% (2500 bps) instead of 20%",
        edits: &[
            Edit {
                file: "src/Constants.sol",
                find: "uint256 internal constant MAX_COMMISSION = 2000;",
                replace: "uint256 internal constant MAX_COMMISSION = 2500;",
            },
            Edit {
                file: "src/Constants.sol",
                find: "uint256 internal constant MAX_PROTOCOL_FEE = 2000;",
                replace: "uint256 internal constant MAX_PROTOCOL_FEE = 2500;",
            },
            Edit {
                file: "src/chain/BeraChef.sol",
                find: "uint96 public constant MAX_COMMISSION_RATE = 2000;",
                replace: "uint96 public constant MAX_COMMISSION_RATE = 2500;",
            },
        ],
    },
    Variant {
        name: "fee-plain-mul",
        description: "FeeMath.feeShares as checked fee*(supply+1)/(totalAssets+1-fee) instead of mulDiv",
        edits: &[Edit {
            file: FEE_MATH,
            find: "return Math.mulDiv(fee, supply + 1, totalAssets + 1 - fee);",
            replace: "return fee * (supply + 1) / (totalAssets + 1 - fee);",
        }],
    },
    Variant {
        name: "fee-floor-split",
        description: "FeeMath.splitFeeShares as before FIND-FEE-001 was fixed: the floored pro-rata split alone, no \
                      share given back by a part worth more than its fee, no per-part fallback",
        edits: &[Edit {
            file: FEE_MATH,
            find: "        if (_worthAfterMint(commissionShares, supply + commissionShares + protocolShares, totalAssets) > commission) {\n            --commissionShares;\n        }\n        if (_worthAfterMint(protocolShares, supply + commissionShares + protocolShares, totalAssets) > protocolFee) {\n            --protocolShares;\n        }\n        uint256 supplyAfter = supply + commissionShares + protocolShares;\n        if (\n            _worthAfterMint(commissionShares, supplyAfter, totalAssets) > commission\n                || _worthAfterMint(protocolShares, supplyAfter, totalAssets) > protocolFee\n        ) {\n            commissionShares = feeShares(commission, supply, totalAssets);\n            protocolShares = feeShares(protocolFee, supply, totalAssets);\n        }\n",
            replace: "",
        }],
    },
    Variant {
        name: "delay-off-by-one",
        description: "WithdrawalVault._finalize lets a request through one block early",
        edits: &[Edit {
            file: VAULT,
            find: "if (block.number < r.requestBlock + Constants.WITHDRAWAL_REQUEST_FINALIZATION_BLOCK_DELAY) {",
            replace: "if (block.number < r.requestBlock + Constants.WITHDRAWAL_REQUEST_FINALIZATION_BLOCK_DELAY - 1) {",
        }],
    },
    Variant {
        name: "owed-shares",
        description: "WithdrawalVault._record credits _owed with the shares burnt instead of the assets",
        edits: &[Edit { file: VAULT, find: "_owed[key] += assets;", replace: "_owed[key] += shares;" }],
    },
];

/// The variant called `name`.
pub fn variant(name: &str) -> Option<&'static Variant> {
    VARIANTS.iter().find(|v| v.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every patch still matches the contracts exactly once (drift fails here, before any compilation).
    #[test]
    fn every_patch_matches_the_contracts_once() {
        let contracts = Path::new(env!("CARGO_MANIFEST_DIR")).join("../contracts");
        for variant in VARIANTS {
            for edit in variant.edits {
                let text = fs::read_to_string(contracts.join(edit.file)).unwrap();
                assert_eq!(
                    text.matches(edit.find).count(),
                    1,
                    "variant {}: {}",
                    variant.name,
                    edit.file
                );
            }
        }
    }

    #[test]
    fn every_control_names_a_variant() {
        for control in crate::smt::all_controls() {
            assert!(
                variant(control.variant).is_some(),
                "{}: {}",
                control.check.id,
                control.variant
            );
        }
    }
}
