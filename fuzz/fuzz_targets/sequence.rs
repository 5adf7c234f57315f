//! `sequence`: input bytes → a sequence of any actions (poolguard's libFuzzer input format, the full
//! alphabet) → executed on the deployed suite with EVM coverage → every invariant checked after every step →
//! a panic naming the violated invariant.

#![no_main]

use poolguard::fuzzinput::Alphabet;

libfuzzer_sys::fuzz_target!(init: poolguard_fuzz::init(), |data: &[u8]| {
    poolguard_fuzz::run(data, Alphabet::Full);
});

libfuzzer_sys::fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
    poolguard_fuzz::mutate(data, size, max_size, seed, Alphabet::Full)
});
