//! `oracle`: like `sequence`, with the oracle alphabet: AccountingOracle reports (honest, out of bounds, zero,
//! replayed), consensus-layer rewards, penalties and withdrawals, and what they interact with (deposits,
//! withdrawal requests and finalization, full exits, oracle bounds and feeders). Reports are weighted up, so
//! the fuzzer spends its time on balance accounting, exits and the oracle's bounds.

#![no_main]

use poolguard::fuzzinput::Alphabet;

libfuzzer_sys::fuzz_target!(init: poolguard_fuzz::init(), |data: &[u8]| {
    poolguard_fuzz::run(data, Alphabet::Oracle);
});

libfuzzer_sys::fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
    poolguard_fuzz::mutate(data, size, max_size, seed, Alphabet::Oracle)
});
