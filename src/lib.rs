//! poolguard

pub mod actions;
pub mod bindings;
pub mod compile;
pub mod engine;
pub mod evm;
pub mod execute;
pub mod fuzzinput;
pub mod observe;
pub mod report;
pub mod revert;
pub mod variants;
pub mod world;
