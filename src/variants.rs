//! Deliberately broken variants of the suite (`contracts/variants/*.json`): each is a small list of textual
//! edits to a copy of `contracts/`, breaking exactly one property, so the catalog can prove each invariant
//! fires. A variant is materialized under a cache folder and compiled like the real suite.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Errors loading or materializing variants.
#[derive(Debug, thiserror::Error)]
pub enum VariantError {
    /// Filesystem error.
    #[error("{path}: {error}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The error (shown in the message, so not chained as a source: it would print twice).
        error: std::io::Error,
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
        error: source,
    }
}

/// The variants command: prints every variant under `dir` (name, invariant, description) on stdout.
pub fn print_variants(dir: &Path) -> Result<(), VariantError> {
    for v in load_variants(dir)? {
        println!("{:<40} {:<11} {}", v.name, v.invariant, v.description);
    }
    Ok(())
}

/// Loads every variant under `dir`, sorted by name.
pub fn load_variants(dir: &Path) -> Result<Vec<Variant>, VariantError> {
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(io(dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths.iter().map(|path| load_variant(path)).collect()
}

/// Loads the variant file `path` (its name is the file stem).
pub fn load_variant(path: &Path) -> Result<Variant, VariantError> {
    let text = fs::read_to_string(path).map_err(io(path))?;
    let mut v: Variant = serde_json::from_str(&text).map_err(|e| VariantError::Malformed {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    v.name = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_string();
    Ok(v)
}

/// The folders under the suite's root that hold variants, searched in this order by name: the broken variants
/// the campaign must catch (one per invariant, `tests/broken_variants.rs`), directed variants whose bug a
/// hand-written sequence shows but the campaign does not reach yet, and upgrade variants that only the
/// storage-layout check sees (a fresh deployment of them works).
pub const VARIANT_DIRS: [&str; 3] = ["variants", "variants-directed", "variants-upgrade"];

/// Finds the variant called `name` in the first of [`VARIANT_DIRS`] under `root` that has it; a `name` ending in
/// `.json` that is a file is loaded from there (the mutants `poolguard mutate` writes, for instance).
pub fn find_variant_in(root: &Path, name: &str) -> Result<Variant, VariantError> {
    let as_file = Path::new(name);
    if name.ends_with(".json") && as_file.is_file() {
        return load_variant(as_file);
    }
    for dir in VARIANT_DIRS
        .iter()
        .map(|d| root.join(d))
        .filter(|d| d.is_dir())
    {
        match find_variant(&dir, name) {
            Err(VariantError::Unknown(_)) => continue,
            found => return found,
        }
    }
    Err(VariantError::Unknown(name.to_string()))
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
    ///
    /// Only files whose content differs are written (and files gone from `root` removed), so materializing a
    /// variant that is already there changes nothing: several processes may materialize and compile the same
    /// variant at once.
    pub fn materialize(&self, root: &Path, cache: &Path) -> Result<PathBuf, VariantError> {
        let out = cache.join(&self.name);
        let mut wanted: BTreeMap<PathBuf, Vec<u8>> = BTreeMap::new();
        collect_files(root, Path::new("src"), &mut wanted)?;
        // The Foundry layers under test/ (world, invariants, handlers) travel along so forge runs in the copy
        // too; exported findings under test/findings/ are the copy's own and are kept.
        if root.join("test").is_dir() {
            collect_files(root, Path::new("test"), &mut wanted)?;
            wanted.retain(|path, _| !path.starts_with("test/findings"));
        }
        for file in [
            "foundry.toml",
            "remappings.txt",
            "package.json",
            "package-lock.json",
            "solc-front.js",
            crate::policy::POLICY_FILE,
        ] {
            let from = root.join(file);
            if from.exists() {
                wanted.insert(PathBuf::from(file), fs::read(&from).map_err(io(&from))?);
            }
        }
        for edit in &self.edits {
            let mismatch = |count| VariantError::EditMismatch {
                variant: self.name.clone(),
                file: edit.file.clone(),
                count,
            };
            let bytes = wanted
                .get_mut(Path::new(&edit.file))
                .ok_or_else(|| mismatch(0))?;
            let text = String::from_utf8_lossy(bytes).into_owned();
            let count = text.matches(&edit.find).count();
            if count != 1 {
                return Err(mismatch(count));
            }
            *bytes = text.replacen(&edit.find, &edit.replace, 1).into_bytes();
        }
        for (path, content) in &wanted {
            let dest = out.join(path);
            // The source's permissions travel too (solc-front.js must stay executable for forge's `--use`).
            let source = root.join(path);
            let permissions = fs::metadata(&source).map_err(io(&source))?.permissions();
            if fs::read(&dest).is_ok_and(|have| have == *content) {
                if fs::metadata(&dest).is_ok_and(|m| m.permissions() != permissions) {
                    fs::set_permissions(&dest, permissions).map_err(io(&dest))?;
                }
                continue;
            }
            if let Some(dir) = dest.parent() {
                fs::create_dir_all(dir).map_err(io(dir))?;
            }
            // Write-then-rename: a concurrent reader sees the old file or the new one, never half of it. The
            // temporary file lies outside `src` and `test`, where another process materializing the same variant
            // would take it for a stale source and delete it before the rename.
            static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
            let write = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let tmp = out.join(format!(".materialize-{}-{write}.tmp", std::process::id()));
            fs::write(&tmp, content).map_err(io(&tmp))?;
            fs::set_permissions(&tmp, permissions).map_err(io(&tmp))?;
            fs::rename(&tmp, &dest).map_err(io(&dest))?;
        }
        for dir in ["src", "test"] {
            let mut present = BTreeMap::new();
            if out.join(dir).is_dir() {
                collect_files(&out, Path::new(dir), &mut present)?;
            }
            for path in present.keys() {
                if !wanted.contains_key(path) && !path.starts_with("test/findings") {
                    let stale = out.join(path);
                    fs::remove_file(&stale).map_err(io(&stale))?;
                }
            }
        }
        let link = out.join("node_modules");
        if !link.exists() {
            let target = fs::canonicalize(root.join("node_modules")).map_err(io(root))?;
            #[cfg(unix)]
            if let Err(e) = std::os::unix::fs::symlink(&target, &link) {
                // Another process made the link first.
                if !link.exists() {
                    return Err(io(&link)(e));
                }
            }
            #[cfg(not(unix))]
            copy_dir(&target, &link)?;
        }
        Ok(out)
    }
}

/// Reads every file under `root/dir` into `files`, keyed by its path relative to `root`.
fn collect_files(
    root: &Path,
    dir: &Path,
    files: &mut BTreeMap<PathBuf, Vec<u8>>,
) -> Result<(), VariantError> {
    let full = root.join(dir);
    for entry in fs::read_dir(&full).map_err(io(&full))? {
        let entry = entry.map_err(io(&full))?;
        let relative = dir.join(entry.file_name());
        let path = entry.path();
        if path.is_dir() {
            collect_files(root, &relative, files)?;
        } else {
            files.insert(relative, fs::read(&path).map_err(io(&path))?);
        }
    }
    Ok(())
}

#[cfg(not(unix))]
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

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("poolguard-variants-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn materializing_one_variant_at_once_from_many_threads_never_fails() {
        let root = scratch("concurrent");
        fs::create_dir_all(root.join("src/core")).unwrap();
        fs::create_dir_all(root.join("node_modules")).unwrap();
        for i in 0..20 {
            fs::write(
                root.join(format!("src/core/C{i}.sol")),
                format!("uint x = {i};"),
            )
            .unwrap();
        }
        // Two edits of the same variant name, alternated, so that every pass rewrites a file while other threads
        // look for stale ones.
        let variant = |value: u8| Variant {
            name: "v".into(),
            invariant: "X".into(),
            description: String::new(),
            edits: vec![Edit {
                file: "src/core/C3.sol".into(),
                find: "uint x = 3;".into(),
                replace: format!("uint x = {value};"),
            }],
        };
        let cache = root.join("cache");
        std::thread::scope(|scope| {
            for thread in 0..8u8 {
                let (variant, cache, root) = (&variant, &cache, &root);
                scope.spawn(move || {
                    for pass in 0..20u8 {
                        variant(4 + (thread + pass) % 2)
                            .materialize(root, cache)
                            .expect("a concurrent materialization of the same variant succeeds");
                    }
                });
            }
        });
        let variant = variant(4);
        let out = variant.materialize(&root, &cache).unwrap();
        assert_eq!(
            fs::read_to_string(out.join("src/core/C3.sol")).unwrap(),
            "uint x = 4;"
        );
    }

    #[test]
    fn materialize_applies_edits_keeps_permissions_and_drops_stale_files() {
        let root = scratch("root");
        fs::create_dir_all(root.join("src")).unwrap();
        fs::create_dir_all(root.join("test/utils")).unwrap();
        fs::create_dir_all(root.join("node_modules")).unwrap();
        fs::write(root.join("src/A.sol"), "uint x = 1;").unwrap();
        fs::write(root.join("test/utils/W.sol"), "world").unwrap();
        fs::write(root.join("solc-front.js"), "#!/usr/bin/env node").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(
                root.join("solc-front.js"),
                fs::Permissions::from_mode(0o755),
            )
            .unwrap();
        }
        let variant = Variant {
            name: "v".into(),
            invariant: "X-1".into(),
            description: String::new(),
            edits: vec![Edit {
                file: "src/A.sol".into(),
                find: "= 1".into(),
                replace: "= 2".into(),
            }],
        };
        let cache = scratch("cache");
        let out = variant.materialize(&root, &cache).unwrap();
        assert_eq!(
            fs::read_to_string(out.join("src/A.sol")).unwrap(),
            "uint x = 2;"
        );
        assert_eq!(
            fs::read_to_string(out.join("test/utils/W.sol")).unwrap(),
            "world"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(out.join("solc-front.js"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o755, "the front stays executable");
        }
        // Again, after a source file is gone and an export was written: stale sources go, exports stay.
        fs::write(out.join("src/Stale.sol"), "old").unwrap();
        fs::create_dir_all(out.join("test/findings")).unwrap();
        fs::write(out.join("test/findings/F.t.sol"), "export").unwrap();
        let again = variant.materialize(&root, &cache).unwrap();
        assert_eq!(again, out);
        assert!(!out.join("src/Stale.sol").exists());
        assert!(out.join("test/findings/F.t.sol").exists());
        let bad = Variant {
            edits: vec![Edit {
                file: "src/A.sol".into(),
                find: "absent".into(),
                replace: String::new(),
            }],
            ..variant
        };
        assert!(matches!(
            bad.materialize(&root, &cache),
            Err(VariantError::EditMismatch { count: 0, .. })
        ));
        let _ = fs::remove_dir_all(&root);
        let _ = fs::remove_dir_all(&cache);
    }
}
