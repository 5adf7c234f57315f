//! # poolguard invariants
//!
//! The list of what poolguard holds the staking-pool suite to. Read [`catalog::CATALOG`]: every entry has a
//! stable id, a category, a one-sentence statement, the broken contract variant that proves it can fire, and a
//! check over an [`Observation`] of the world before and after one step, the step itself ([`StepRecord`]) and
//! the harness-side [`Ghost`] model.
//!
//! The crate knows nothing of the EVM or the engine: observations are plain data, filled in by poolguard's
//! observe stage, so an auditor can read the properties without reading the harness.

pub mod catalog;
pub mod formulas;
pub mod ghost;
pub mod observation;
pub mod refusals;
pub mod settings;
#[cfg(feature = "smt")]
pub mod smt;

/// `Ok` where `holds`, else `Err` with the message `why_not` builds (only then): the one shape of every check's
/// verdict (the catalog's invariants, LIVE-007's effects, LIVE-001's refusals).
pub(crate) fn ensure(holds: bool, why_not: impl FnOnce() -> String) -> Result<(), String> {
    if holds {
        Ok(())
    } else {
        Err(why_not())
    }
}

pub use catalog::{check_all, Category, Check, Invariant, Violation, CATALOG};
pub use ghost::Ghost;
pub use observation::{
    AcceptedReport, Burn, Claimed, Deposit, FeeMint, Finalization, LastReport, Observation,
    OracleBounds, PoolAmount, PoolObservation, Previews, Privilege, Reentry, ReportArgs,
    RequestObservation, Role, RoleOp, Setting, ShareTransfer, StepEvents, StepRecord, SuiteCall,
    SuiteFunction, TokenTransfer,
};
