//! The fuzz engine: strategies (generate and mutate sequences), the sequence runner (execute → observe →
//! check), the on-disk corpus, shrinking and the multi-worker campaign.

pub mod campaign;
pub mod corpus;
pub mod dataflow;
pub mod entries;
pub mod finding;
pub mod fuzz;
pub mod replay;
pub mod replayable;
pub mod runner;
pub mod schedule;
pub mod shrink;
pub mod strategy;

pub use campaign::{
    entry_table, run_campaign, Budget, CampaignConfig, CampaignReport, EntryStats, Progress,
    TimelineSample,
};
pub use finding::{Finding, FirstSighting, FINDING_FORMAT};
pub use runner::{run_sequence, run_sequence_with, RunOptions, RunResult, StopOn, Trace};
