//! The on-disk corpus: sequences that reached new coverage (`corpus/coverage/`), one JSON file each, written
//! atomically so that a killed campaign loses nothing already saved; a new campaign resumes from them.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use alloy_primitives::keccak256;
use serde::{Deserialize, Serialize};

use crate::actions::Action;

/// Errors reading or writing corpus files.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    /// Filesystem error.
    #[error("{path}: {error}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The error (shown in the message, so not chained as a source: it would print twice).
        error: std::io::Error,
    },
    /// A file that is not a valid corpus entry.
    #[error("{path}: not a poolguard sequence: {message}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// Format tag of sequence files.
pub const SEQUENCE_FORMAT: &str = "poolguard-sequence/1";

/// A saved sequence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SequenceFile {
    /// Always [`SEQUENCE_FORMAT`].
    pub format: String,
    /// The actions.
    pub actions: Vec<Action>,
}

impl SequenceFile {
    /// Wraps `actions`.
    pub fn new(actions: Vec<Action>) -> Self {
        Self {
            format: SEQUENCE_FORMAT.to_string(),
            actions,
        }
    }

    /// Parses a sequence file's text.
    pub fn parse(text: &str, path: &Path) -> Result<Self, CorpusError> {
        let file: SequenceFile =
            from_json_text(text).map_err(|message| CorpusError::Malformed {
                path: path.to_path_buf(),
                message,
            })?;
        if file.format != SEQUENCE_FORMAT {
            return Err(CorpusError::Malformed {
                path: path.to_path_buf(),
                message: format!("format {:?}", file.format),
            });
        }
        Ok(file)
    }
}

/// Parses JSON text into `T`; an error names the field it is about (`actions[3].caller: invalid value …`) as
/// well as the line and column.
pub fn from_json_text<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, String> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let path = e.path().to_string();
        if path.is_empty() || path == "." {
            e.into_inner().to_string()
        } else {
            format!("{path}: {}", e.into_inner())
        }
    })
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, then a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), CorpusError> {
    let io = |source| CorpusError::Io {
        path: path.to_path_buf(),
        error: source,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(io)?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("file"),
        std::process::id()
    ));
    let mut file = fs::File::create(&tmp).map_err(io)?;
    file.write_all(bytes).map_err(io)?;
    file.sync_all().map_err(io)?;
    fs::rename(&tmp, path).map_err(io)
}

/// Saves `actions` under `dir`, named by content hash; returns the path.
pub fn save_sequence(dir: &Path, actions: &[Action]) -> Result<PathBuf, CorpusError> {
    let json = serde_json::to_vec_pretty(&SequenceFile::new(actions.to_vec()))
        .expect("sequences serialize");
    let name = format!(
        "{}.json",
        &alloy_primitives::hex::encode(keccak256(&json))[..16]
    );
    let path = dir.join(name);
    if !path.exists() {
        write_atomic(&path, &json)?;
    }
    Ok(path)
}

/// Loads every `*.json` sequence under `dir` (sorted by name, for determinism); a missing folder is empty.
/// Malformed files are returned as errors beside the good ones, never as a panic.
pub fn load_sequences(dir: &Path) -> (Vec<Vec<Action>>, Vec<CorpusError>) {
    let mut good = Vec::new();
    let mut bad = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return (good, bad);
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    for path in paths {
        match fs::read_to_string(&path) {
            Ok(text) => match SequenceFile::parse(&text, &path) {
                Ok(file) => good.push(file.actions),
                Err(e) => bad.push(e),
            },
            Err(source) => bad.push(CorpusError::Io {
                path,
                error: source,
            }),
        }
    }
    (good, bad)
}
