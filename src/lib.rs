//! poolguard

pub mod bindings;
pub mod compile;
pub mod evm;
pub mod revert;
pub mod world;
