//! poolguard

pub mod actions;
pub mod bindings;
pub mod compile;
pub mod evm;
pub mod observe;
pub mod revert;
pub mod world;
