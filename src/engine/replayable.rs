//! Files `poolguard replay` and `poolguard corpus` read and write: a finding or sequence JSON file, or a raw
//! libFuzzer input decoded with the byte format of [`crate::fuzzinput`].

use std::path::{Path, PathBuf};

use super::corpus::{write_atomic, CorpusError, SequenceFile};
use super::Finding;
use crate::actions::{Action, OpKind};
use crate::fuzzinput::{decode, encode, Alphabet, MAX_ACTIONS};

/// Where a replayable file came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A finding or sequence JSON file.
    Json,
    /// A raw libFuzzer input (a crash file, a corpus entry).
    LibFuzzer,
}

/// Reads a file `poolguard replay` accepts: a finding or sequence JSON file, or a raw libFuzzer input decoded
/// with `alphabet`. A file is JSON when its name ends in `.json` or its content is a JSON object with a
/// `format` field; anything else is a libFuzzer input (crash files have no extension). A libFuzzer input
/// becomes a [`Finding`] with no invariant (any violation reproduces it).
///
/// # Errors
///
/// [`CorpusError::Malformed`] for a JSON file that is not a finding or sequence, or a libFuzzer input that
/// decodes to no action.
pub fn parse_replayable(
    bytes: &[u8],
    path: &Path,
    alphabet: Alphabet,
) -> Result<(Finding, Source), CorpusError> {
    let malformed = |message: String| CorpusError::Malformed {
        path: path.to_path_buf(),
        message,
    };
    let named_json = path.extension().is_some_and(|x| x == "json");
    let text = std::str::from_utf8(bytes).ok();
    let tagged_json = text
        .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
        .is_some_and(|v| v.get("format").is_some());
    if named_json || tagged_json {
        let text = text.ok_or_else(|| malformed("not UTF-8 text".into()))?;
        return Finding::parse(text, path).map(|f| (f, Source::Json));
    }
    let actions = decode(bytes, alphabet);
    if actions.is_empty() {
        return Err(malformed("an empty libFuzzer input (no action)".into()));
    }
    let file = SequenceFile::new(actions);
    let json = serde_json::to_string(&file).expect("sequences serialize");
    Finding::parse(&json, path).map(|f| (f, Source::LibFuzzer))
}

/// Reads `path` with [`parse_replayable`].
///
/// # Errors
///
/// Those of [`parse_replayable`], and [`CorpusError::Io`] when the file cannot be read.
pub fn load_replayable(path: &Path, alphabet: Alphabet) -> Result<(Finding, Source), CorpusError> {
    let bytes = std::fs::read(path).map_err(|source| CorpusError::Io {
        path: path.to_path_buf(),
        error: source,
    })?;
    parse_replayable(&bytes, path, alphabet)
}

/// What [`export`] or [`import`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Converted {
    /// Files written.
    pub written: Vec<PathBuf>,
    /// Files skipped, with the reason.
    pub skipped: Vec<String>,
}

fn files_in(dir: &Path, json: bool) -> Result<Vec<PathBuf>, CorpusError> {
    let io = |source| CorpusError::Io {
        path: dir.to_path_buf(),
        error: source,
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .filter(|p| !json || p.extension().is_some_and(|x| x == "json"))
        .filter(|p| {
            !p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'))
        })
        .collect();
    paths.sort();
    Ok(paths)
}

/// `poolguard corpus export`: a finding or sequence JSON file → a libFuzzer input for `alphabet`'s target at
/// `to`; or, when `from` is a folder, each of its `*.json` files → a file in the folder `to`, named by the
/// input's content hash (as libFuzzer names corpus files). Actions outside the alphabet are dropped (the
/// count is reported in [`Converted::skipped`]); sequences longer than [`MAX_ACTIONS`] are cut.
///
/// # Errors
///
/// [`CorpusError`] for a file that cannot be read, parsed or written (in folder mode a malformed file is
/// skipped, not an error).
pub fn export(from: &Path, to: &Path, alphabet: Alphabet) -> Result<Converted, CorpusError> {
    let mut done = Converted::default();
    let one = |path: &Path, done: &mut Converted| -> Result<Vec<u8>, CorpusError> {
        let finding = Finding::load(path)?;
        let kept: Vec<Action> = finding
            .sequence
            .iter()
            .filter(|a| alphabet.selector(OpKind::of(&a.op)).is_some())
            .cloned()
            .collect();
        let dropped = finding.sequence.len() - kept.len();
        if dropped > 0 {
            done.skipped.push(format!(
                "{}: {dropped} actions not in the {alphabet} alphabet dropped",
                path.display()
            ));
        }
        let cut = kept.len().min(MAX_ACTIONS);
        if cut < kept.len() {
            done.skipped
                .push(format!("{}: cut to {MAX_ACTIONS} actions", path.display()));
        }
        Ok(encode(&kept[..cut], alphabet).expect("filtered to the alphabet and cut"))
    };
    if from.is_dir() {
        for path in files_in(from, true)? {
            match one(&path, &mut done) {
                Ok(bytes) if !bytes.is_empty() => {
                    let name =
                        alloy_primitives::hex::encode(&alloy_primitives::keccak256(&bytes)[..20]);
                    let out = to.join(name);
                    write_atomic(&out, &bytes)?;
                    done.written.push(out);
                }
                Ok(_) => done
                    .skipped
                    .push(format!("{}: nothing left to export", path.display())),
                Err(e) => done.skipped.push(e.to_string()),
            }
        }
    } else {
        let bytes = one(from, &mut done)?;
        write_atomic(to, &bytes)?;
        done.written.push(to.to_path_buf());
    }
    Ok(done)
}

/// `poolguard corpus import`: a libFuzzer input (decoded with `alphabet`) → a readable sequence JSON file
/// (`poolguard-sequence/1`) at `to`; or, when `from` is a folder, each file in it → `to/<name>.json`.
///
/// # Errors
///
/// [`CorpusError`] for a file that cannot be read or written, or an input that decodes to no action (in
/// folder mode such inputs are skipped).
pub fn import(from: &Path, to: &Path, alphabet: Alphabet) -> Result<Converted, CorpusError> {
    let mut done = Converted::default();
    let one = |path: &Path| -> Result<Vec<u8>, CorpusError> {
        let bytes = std::fs::read(path).map_err(|source| CorpusError::Io {
            path: path.to_path_buf(),
            error: source,
        })?;
        let actions = decode(&bytes, alphabet);
        if actions.is_empty() {
            return Err(CorpusError::Malformed {
                path: path.to_path_buf(),
                message: "decodes to no action".into(),
            });
        }
        Ok(serde_json::to_vec_pretty(&SequenceFile::new(actions)).expect("sequences serialize"))
    };
    if from.is_dir() {
        for path in files_in(from, false)? {
            match one(&path) {
                Ok(json) => {
                    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("input");
                    let out = to.join(format!("{name}.json"));
                    write_atomic(&out, &json)?;
                    done.written.push(out);
                }
                Err(e) => done.skipped.push(e.to_string()),
            }
        }
    } else {
        write_atomic(to, &one(from)?)?;
        done.written.push(to.to_path_buf());
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actions::Op;
    use crate::engine::strategy::{random_sequence, test_context as context};
    use rand::rngs::SmallRng;
    use rand::SeedableRng;

    #[test]
    fn replayable_files_are_detected() {
        let seq = vec![Action {
            origin: None,
            caller: 1,
            roll: 5,
            op: Op::Wait {},
        }];
        let raw = encode(&seq, Alphabet::Full).unwrap();
        let (f, source) = parse_replayable(&raw, Path::new("crash-abc"), Alphabet::Full).unwrap();
        assert_eq!((f.sequence, source), (seq.clone(), Source::LibFuzzer));
        let json = serde_json::to_vec(&SequenceFile::new(seq.clone())).unwrap();
        let (f, source) = parse_replayable(&json, Path::new("crash-abc"), Alphabet::Full).unwrap();
        assert_eq!((f.sequence, source), (seq, Source::Json));
        // A malformed file named .json is an error, not a fuzz input; an empty input is an error.
        assert!(parse_replayable(b"{\"format\": 3}", Path::new("x.json"), Alphabet::Full).is_err());
        assert!(parse_replayable(b"\xff\xfe", Path::new("x.json"), Alphabet::Full).is_err());
        assert!(parse_replayable(b"", Path::new("crash"), Alphabet::Full).is_err());
        // JSON without a format tag (e.g. the 2-byte input `{}`) is a fuzz input.
        assert_eq!(
            parse_replayable(b"{}", Path::new("crash"), Alphabet::Full)
                .unwrap()
                .1,
            Source::LibFuzzer
        );
    }

    #[test]
    fn export_and_import_convert_files_and_folders() {
        let dir = std::env::temp_dir().join(format!("poolguard-fuzzinput-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let ctx = context();
        let mut rng = SmallRng::seed_from_u64(3);
        let jsons = dir.join("json");
        let mut seqs = Vec::new();
        for _ in 0..5 {
            let seq = random_sequence(&mut rng, &ctx, 20);
            crate::engine::corpus::save_sequence(&jsons, &seq).unwrap();
            seqs.push(seq);
        }
        let raw = dir.join("raw");
        let out = export(&jsons, &raw, Alphabet::Full).unwrap();
        assert_eq!(out.written.len(), 5, "{:?}", out.skipped);
        let back = dir.join("back");
        let done = import(&raw, &back, Alphabet::Full).unwrap();
        assert_eq!(done.written.len(), 5);
        let (mut loaded, bad) = crate::engine::corpus::load_sequences(&back);
        assert!(bad.is_empty());
        let key = |s: &Vec<Action>| serde_json::to_string(s).unwrap();
        loaded.sort_by_key(key);
        seqs.sort_by_key(key);
        assert_eq!(loaded, seqs);
        // Single files, and the oracle alphabet drops what it lacks.
        let one = dir.join("one.bin");
        let first = std::fs::read_dir(&jsons)
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        let done = export(&first, &one, Alphabet::Oracle).unwrap();
        assert_eq!(done.written, vec![one.clone()]);
        let decoded = decode(&std::fs::read(&one).unwrap(), Alphabet::Oracle);
        assert!(decoded
            .iter()
            .all(|a| Alphabet::Oracle.selector(OpKind::of(&a.op)).is_some()));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
