//! `corpus_decode`: fuzzes poolguard's own loaders. Malformed files must give errors, never panics.
//!
//! The first byte picks what the rest is:
//! * even: a file `poolguard replay` or the campaign might read: finding / sequence JSON
//!   (`Finding::parse`, `SequenceFile::parse`) and the replay detector over raw bytes (`parse_replayable`,
//!   both alphabets, with and without a `.json` name); accepted files must survive a JSON round trip;
//! * odd: structured: `arbitrary` builds a sequence of actions, which must survive the libFuzzer encoding and
//!   the JSON sequence and finding formats unchanged.

#![no_main]

use std::path::Path;

use arbitrary::{Arbitrary, Unstructured};
use poolguard::actions::Action;
use poolguard::engine::corpus::SequenceFile;
use poolguard::engine::replayable::parse_replayable;
use poolguard::engine::Finding;
use poolguard::fuzzinput::{decode, encode, Alphabet, MAX_ACTIONS};

fn loaders(bytes: &[u8]) {
    for alphabet in Alphabet::ALL {
        for name in ["crash-input", "finding.json"] {
            if let Ok((finding, _)) = parse_replayable(bytes, Path::new(name), alphabet) {
                let json = serde_json::to_string(&finding).expect("findings serialize");
                let again =
                    Finding::parse(&json, Path::new(name)).expect("a loaded finding reloads");
                assert_eq!(again, finding);
            }
        }
        let actions = decode(bytes, alphabet);
        assert!(actions.len() <= MAX_ACTIONS);
        let encoded = encode(&actions, alphabet).expect("decoded actions encode");
        assert_eq!(decode(&encoded, alphabet), actions);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        if let Ok(file) = SequenceFile::parse(text, Path::new("x.json")) {
            let json = serde_json::to_string(&file).expect("sequences serialize");
            assert_eq!(
                SequenceFile::parse(&json, Path::new("x.json")).expect("reloads"),
                file
            );
        }
        let _ = Finding::parse(text, Path::new("x.json"));
    }
}

fn structured(bytes: &[u8]) {
    let mut u = Unstructured::new(bytes);
    let Ok(mut actions) = Vec::<Action>::arbitrary(&mut u) else {
        return;
    };
    actions.truncate(MAX_ACTIONS);
    // The console's exact `Call` (weight 0) is in no libFuzzer alphabet; every other kind is in the full one.
    actions.retain(|a| Alphabet::Full.selector(a.op.kind()).is_some());
    let encoded = encode(&actions, Alphabet::Full).expect("every generated kind is in the full alphabet");
    assert_eq!(decode(&encoded, Alphabet::Full), actions);
    let file = SequenceFile::new(actions.clone());
    let json = serde_json::to_string(&file).expect("sequences serialize");
    assert_eq!(
        SequenceFile::parse(&json, Path::new("s.json"))
            .expect("reloads")
            .actions,
        actions
    );
    let (finding, _) =
        parse_replayable(json.as_bytes(), Path::new("s.json"), Alphabet::Full).expect("replayable");
    assert_eq!(finding.sequence, actions);
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    match data.split_first() {
        Some((tag, rest)) if tag % 2 == 1 => structured(rest),
        Some((_, rest)) => loaders(rest),
        None => {}
    }
});
