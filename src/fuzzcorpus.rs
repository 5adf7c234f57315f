//! The corpus command: converts between libFuzzer inputs and readable sequence JSON, file by file or folder by
//! folder, with the codec of [`crate::fuzzinput`].

use std::path::Path;

use crate::engine::replayable::{export, import};
use crate::fuzzinput::Alphabet;

/// Which way to convert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// A libFuzzer input (or a folder of them) → sequence JSON (or a folder of `<name>.json`).
    Import,
    /// A finding or sequence JSON (or a folder of them) → a libFuzzer input (or a folder of inputs).
    Export,
}

/// Converts `from` into `to` for the libFuzzer target whose alphabet is `alphabet`; notes on skipped files go to
/// stderr, the count of files written to stdout.
pub fn convert(
    direction: Direction,
    from: &Path,
    to: &Path,
    alphabet: Alphabet,
) -> anyhow::Result<()> {
    let (done, verb) = match direction {
        Direction::Import => (import(from, to, alphabet)?, "imported"),
        Direction::Export => (export(from, to, alphabet)?, "exported"),
    };
    for note in &done.skipped {
        eprintln!("note: {note}");
    }
    println!("{verb} {} file(s)", done.written.len());
    Ok(())
}
