//! poolguard

pub mod actions;
pub mod bench;
pub mod bindings;
pub mod compile;
pub mod console;
pub mod coverage;
pub mod engine;
pub mod entry_points;
pub mod evm;
pub mod execute;
pub mod fuzzcorpus;
pub mod fuzzinput;
pub mod gate;
pub mod layout;
pub mod mutate;
pub mod observe;
pub mod policy;
pub mod report;
pub mod revert;
pub mod sourcemap;
pub mod variants;
pub mod world;
