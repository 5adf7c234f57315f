//! Deliberately broken variants of the suite (`contracts/variants/*.json`): each is a small list of textual
//! edits to a copy of `contracts/`, breaking exactly one property, so the catalog can prove each invariant
//! fires. A variant is materialized under a cache folder and compiled like the real suite.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Errors loading or materializing variants.
#[derive(Debug, thiserror::Error)]
pub enum VariantError {
    /// Filesystem error.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// Not a valid variant file.
    #[error("{path}: {message}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// An edit's text is not found exactly once.
    #[error("variant {variant}: the text to replace occurs {count} times in {file} (must be exactly once)")]
    EditMismatch {
        /// Variant name.
        variant: String,
        /// File edited.
        file: String,
        /// Occurrences found.
        count: usize,
    },
    /// No variant of that name.
    #[error("no variant named {0:?} (see `poolguard variants`)")]
    Unknown(String),
}

/// One textual edit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edit {
    /// File, relative to the contracts root.
    pub file: String,
    /// Text that must occur exactly once.
    pub find: String,
    /// Its replacement.
    pub replace: String,
}

/// A broken variant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variant {
    /// Name (the file stem).
    #[serde(skip)]
    pub name: String,
    /// The invariant it breaks.
    pub invariant: String,
    /// What is broken.
    pub description: String,
    /// The edits.
    pub edits: Vec<Edit>,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> VariantError + '_ {
    move |source| VariantError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Loads every variant under `dir`, sorted by name.
pub fn load_variants(dir: &Path) -> Result<Vec<Variant>, VariantError> {
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(io(dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|path| {
            let text = fs::read_to_string(path).map_err(io(path))?;
            let mut v: Variant =
                serde_json::from_str(&text).map_err(|e| VariantError::Malformed {
                    path: path.clone(),
                    message: e.to_string(),
                })?;
            v.name = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .to_string();
            Ok(v)
        })
        .collect()
}

/// Finds the variant called `name` under `dir`.
pub fn find_variant(dir: &Path, name: &str) -> Result<Variant, VariantError> {
    load_variants(dir)?
        .into_iter()
        .find(|v| v.name == name)
        .ok_or_else(|| VariantError::Unknown(name.to_string()))
}

impl Variant {
    /// Writes the patched suite to `cache/<name>/` (a copy of `root`'s sources and Foundry tests with the edits
    /// applied and `node_modules` linked), keeping that folder's compile cache; returns the new root.
    pub fn materialize(&self, root: &Path, cache: &Path) -> Result<PathBuf, VariantError> {
        let out = cache.join(&self.name);
        let src_out = out.join("src");
        if src_out.exists() {
            fs::remove_dir_all(&src_out).map_err(io(&src_out))?;
        }
        copy_dir(&root.join("src"), &src_out)?;
        // The Foundry layers under test/ (world, invariants, handlers) travel along so forge runs in the copy
        // too; exported findings under test/findings/ are the copy's own and are kept.
        let test = root.join("test");
        if test.is_dir() {
            let test_out = out.join("test");
            for entry in fs::read_dir(&test).map_err(io(&test))? {
                let entry = entry.map_err(io(&test))?;
                let path = entry.path();
                let dest = test_out.join(entry.file_name());
                if entry.file_name() == "findings" {
                    continue;
                }
                if path.is_dir() {
                    if dest.exists() {
                        fs::remove_dir_all(&dest).map_err(io(&dest))?;
                    }
                    copy_dir(&path, &dest)?;
                } else {
                    fs::create_dir_all(&test_out).map_err(io(&test_out))?;
                    fs::copy(&path, &dest).map_err(io(&path))?;
                }
            }
        }
        for file in [
            "foundry.toml",
            "remappings.txt",
            "package.json",
            "package-lock.json",
            "solc-front.js",
        ] {
            let from = root.join(file);
            if from.exists() {
                fs::copy(&from, out.join(file)).map_err(io(&from))?;
            }
        }
        let link = out.join("node_modules");
        if !link.exists() {
            let target = fs::canonicalize(root.join("node_modules")).map_err(io(root))?;
            #[cfg(unix)]
            std::os::unix::fs::symlink(&target, &link).map_err(io(&link))?;
            #[cfg(not(unix))]
            copy_dir(&target, &link)?;
        }
        for edit in &self.edits {
            let path = out.join(&edit.file);
            let text = fs::read_to_string(&path).map_err(io(&path))?;
            let count = text.matches(&edit.find).count();
            if count != 1 {
                return Err(VariantError::EditMismatch {
                    variant: self.name.clone(),
                    file: edit.file.clone(),
                    count,
                });
            }
            fs::write(&path, text.replacen(&edit.find, &edit.replace, 1)).map_err(io(&path))?;
        }
        Ok(out)
    }
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), VariantError> {
    fs::create_dir_all(to).map_err(io(to))?;
    for entry in fs::read_dir(from).map_err(io(from))? {
        let entry = entry.map_err(io(from))?;
        let path = entry.path();
        let dest = to.join(entry.file_name());
        if path.is_dir() {
            copy_dir(&path, &dest)?;
        } else {
            fs::copy(&path, &dest).map_err(io(&path))?;
        }
    }
    Ok(())
}
