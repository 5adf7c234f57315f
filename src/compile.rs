//! Compile stage: the Solidity suite under `contracts/` → [`Artifacts`].
//!
//! The compiler is the pinned npm package `solc` (solc-js), driven through foundry-compilers by
//! the Node front `contracts/solc-front.js`, which answers `--version` and `--standard-json` like
//! a native solc and ignores path flags. Compilation is incremental: foundry-compilers keeps a
//! content-hash cache in `<root>/.poolguard/cache` and artifacts in `<root>/.poolguard/out`
//! (apart from forge's own `out/` and `cache/`), so an unchanged suite does not start solc again.
//!
//! Only `<root>/src/**/*.sol` and what it imports are compiled; forge tests in `<root>/test` and
//! anything else under `node_modules/` are not.
//!
//! ```no_run
//! use poolguard::compile::SuiteCompiler;
//!
//! let artifacts = SuiteCompiler::new("contracts").compile()?;
//! let pool = artifacts.get("StakingPool")?;
//! println!("{} bytes of init code", pool.bytecode.len());
//! # Ok::<(), poolguard::compile::CompileError>(())
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use alloy_json_abi::JsonAbi;
use alloy_primitives::Bytes;
use foundry_compilers::artifacts::output_selection::{ContractOutputSelection, OutputSelection};
use foundry_compilers::artifacts::{
    BytecodeObject, CompactBytecode, ConfigurableContractArtifact, EvmVersion, Remapping, Settings,
    SolcLanguage,
};
use foundry_compilers::solc::{CliSettings, Solc, SolcCompiler, SolcSettings};
use foundry_compilers::{ConfigurableArtifacts, ProjectBuilder, ProjectPathsConfig};

/// solc's error diagnostics as [`CompileError::Solc`] (all of them); warnings go to `tracing` at debug level.
fn solc_errors(diagnostics: &[foundry_compilers::artifacts::Error]) -> Result<(), CompileError> {
    let mut errors = Vec::new();
    for diagnostic in diagnostics {
        let text = diagnostic
            .formatted_message
            .clone()
            .unwrap_or_else(|| format!("{}: {}", diagnostic.r#type, diagnostic.message));
        if diagnostic.is_error() {
            errors.push(text.trim_end().to_owned());
        } else {
            tracing::debug!(target: "poolguard::compile", "solc: {}", text.trim_end());
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(CompileError::Solc {
            errors: errors.join("\n\n"),
        })
    }
}

/// File name of the Node front, in the suite's root.
pub const FRONT_FILE: &str = "solc-front.js";

/// The front as shipped with poolguard; written to `<root>/.poolguard/` when the suite's root has
/// no `solc-front.js` of its own (e.g. a test copied only `src/`).
const FRONT_JS: &str = include_str!("../contracts/solc-front.js");

/// Folder (in the suite's root) for everything poolguard writes.
const STATE_DIR: &str = ".poolguard";

/// Import remappings of the suite, as in `contracts/remappings.txt` and `contracts/foundry.toml`.
const REMAPPINGS: [(&str, &str); 2] = [
    (
        "@openzeppelin/contracts/",
        "node_modules/@openzeppelin/contracts/",
    ),
    (
        "@openzeppelin/contracts-upgradeable/",
        "node_modules/@openzeppelin/contracts-upgradeable/",
    ),
];

/// Standard JSON outputs requested for every contract (no AST, no generated sources: solc-js is
/// slow enough already).
const OUTPUTS: [&str; 9] = [
    "abi",
    "evm.bytecode.object",
    "evm.bytecode.sourceMap",
    "evm.bytecode.linkReferences",
    "evm.deployedBytecode.object",
    "evm.deployedBytecode.sourceMap",
    "evm.deployedBytecode.linkReferences",
    "evm.deployedBytecode.immutableReferences",
    "storageLayout",
];

/// How many trailing bytes of npm's output an [`CompileError::NpmFailed`] keeps.
const NPM_OUTPUT_TAIL: usize = 4000;

/// Errors of the compile stage.
#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    /// `node` or `npm` is not on `PATH`.
    #[error(
        "`{tool}` was not found on PATH; poolguard compiles the suite with the npm package `solc`, \
         which needs Node.js and npm (e.g. `apt-get install nodejs npm`, or https://nodejs.org)"
    )]
    NodeMissing {
        /// The program that was looked for: `node` or `npm`.
        tool: String,
    },
    /// Installing the suite's npm dependencies (`npm ci` / `npm install`) failed.
    #[error("`{command}` in {} failed ({status}):\n{output}", dir.display())]
    NpmFailed {
        /// The command that was run, e.g. `npm ci`.
        command: String,
        /// The folder it ran in.
        dir: PathBuf,
        /// Its exit status, or why it did not run to completion.
        status: String,
        /// The tail of its stderr and stdout, or an explanation.
        output: String,
    },
    /// solc reported errors (severity `error`); `errors` holds all of solc's formatted messages.
    #[error("solc reported errors:\n{errors}")]
    Solc {
        /// solc's formatted error messages, all of them, separated by blank lines.
        errors: String,
    },
    /// A file-system operation failed; the message names the path.
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
    /// foundry-compilers failed outside solc's diagnostics: an import that does not resolve, a
    /// front that does not start, output that does not parse, ...
    #[error("compiler driver failed: {0}")]
    Compiler(String),
    /// The suite's root has no `src/` folder, or no `.sol` file in it.
    #[error("no Solidity sources under {}", .0.display())]
    NoSources(PathBuf),
    /// No artifact has this name (or `path:Name`).
    #[error("no compiled contract named `{0}`")]
    MissingContract(String),
    /// Several contracts have this name; ask for it as `path:Name`.
    #[error("contract name `{name}` is ambiguous; use one of: {}", candidates.join(", "))]
    AmbiguousContract {
        /// The name that was asked for.
        name: String,
        /// The matching contracts, as `path:Name`.
        candidates: Vec<String>,
    },
    /// A contract calls public library functions, so its bytecode needs linking, which poolguard
    /// does not do (make the library functions `internal`).
    #[error(
        "contract `{contract}` needs library linking ({}); poolguard deploys unlinked code only, \
         make those library functions internal",
        libraries.join(", ")
    )]
    UnlinkedBytecode {
        /// The contract, as `path:Name`.
        contract: String,
        /// The libraries it must be linked against, as `path:Library`.
        libraries: Vec<String>,
    },
}

impl CompileError {
    fn io(path: &Path, what: &str, err: io::Error) -> Self {
        Self::Io(io::Error::new(
            err.kind(),
            format!("{what} {}: {err}", path.display()),
        ))
    }
}

/// The default of every command's `--contracts`: the suite in `contracts/`.
pub const DEFAULT_CONTRACTS: &str = "contracts";

/// The command line `poolguard ARGS` that a printed hint tells the user to run, from the current directory, on the
/// suite at `contracts`: it names `--contracts` unless the default finds the same suite, so that the hint works
/// exactly as printed after a run on a suite elsewhere. Words a shell would split or expand are quoted.
pub fn poolguard_command(contracts: &Path, args: &[&str]) -> String {
    let resolve = |given: &Path| {
        let root = contracts_root(given);
        std::fs::canonicalize(&root).unwrap_or(root)
    };
    let mut words = vec!["poolguard".to_string()];
    if resolve(contracts) != resolve(Path::new(DEFAULT_CONTRACTS)) {
        words.push("--contracts".to_string());
        words.push(shell_word(&contracts.to_string_lossy()));
    }
    words.extend(args.iter().map(|arg| shell_word(arg)));
    words.join(" ")
}

/// `word` as one shell word: as it is where no shell would split or expand it, else in single quotes.
pub fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./:=@%+,-".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// The suite's root as given on the command line (`--contracts`): `given` if it exists or is absolute, else the
/// same relative path under poolguard's own source folder if that exists (so `contracts` works from anywhere
/// in a checkout's build), else `given`.
pub fn contracts_root(given: &Path) -> PathBuf {
    if given.exists() || given.is_absolute() {
        return given.to_path_buf();
    }
    let fallback = Path::new(env!("CARGO_MANIFEST_DIR")).join(given);
    if fallback.exists() {
        fallback
    } else {
        given.to_path_buf()
    }
}

/// The suite to work on: `contracts` (see [`contracts_root`]), or the materialized broken variant `variant` of
/// it (see [`crate::variants`]); says on stderr which variant and what it breaks.
pub fn suite_root(contracts: &Path, variant: Option<&str>) -> anyhow::Result<PathBuf> {
    use anyhow::Context as _;
    let Some(name) = variant else {
        return Ok(contracts_root(contracts));
    };
    let root = contracts_root(contracts);
    // A variant links the suite's node_modules: install them first (a fresh clone has none yet).
    SuiteCompiler::new(&root)
        .ensure_toolchain()
        .with_context(|| format!("preparing {}", root.display()))?;
    let variant = crate::variants::find_variant_in(&root, name)?;
    eprintln!(
        "variant {name}: {} (breaks {})",
        variant.description, variant.invariant
    );
    Ok(variant.materialize(&root, &root.join(".poolguard").join("variants"))?)
}

/// Compiles the staking-pool suite: a Foundry-layout folder (`src/`, `node_modules/`,
/// `package.json`), normally `contracts/`.
#[derive(Debug, Clone)]
pub struct SuiteCompiler {
    root: PathBuf,
}

impl SuiteCompiler {
    /// A compiler for the suite whose root (the folder holding `src/` and `node_modules/`) is
    /// `root`. Nothing is checked until [`ensure_toolchain`](Self::ensure_toolchain) or
    /// [`compile`](Self::compile).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The suite's root, as given to [`new`](Self::new).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Makes sure the compiler can run: `node` is on `PATH`, and the npm dependencies (at least
    /// `solc` and everything `package.json` lists) are in `root/node_modules`. When they are not,
    /// runs `npm ci` (or `npm install` when there is no `package-lock.json`) in `root`; that needs
    /// `npm` on `PATH` and, usually, network access.
    ///
    /// When `root/node_modules` is a symbolic link, poolguard never runs npm into it (that would
    /// rewrite another checkout's install); it reports what is missing instead.
    ///
    /// # Errors
    ///
    /// [`CompileError::NodeMissing`] when `node` (or, if an install is needed, `npm`) is not on
    /// `PATH`; [`CompileError::NpmFailed`] when the install fails or cannot be done;
    /// [`CompileError::Io`] when the lock file in `root/.poolguard/` cannot be taken.
    pub fn ensure_toolchain(&self) -> Result<(), CompileError> {
        self.toolchain().map(drop)
    }

    /// Compiles `root/src/**/*.sol` (and the files they import) with foundry-compilers through
    /// the Node front; calls [`ensure_toolchain`](Self::ensure_toolchain) first.
    ///
    /// Results are cached in `root/.poolguard/`: when no source changed, solc is not started and
    /// every artifact comes from the cache ([`Artifacts::compiled_fresh`] is then `false`).
    /// Errors reported by solc become [`CompileError::Solc`]; warnings go to `tracing` at debug
    /// level.
    ///
    /// Compiles of the same root are serialised by a lock file (`root/.poolguard/lock`), across
    /// threads and processes, so parallel tests can share one suite.
    ///
    /// # Errors
    ///
    /// Those of [`ensure_toolchain`](Self::ensure_toolchain); [`CompileError::NoSources`] when
    /// `root/src` has no `.sol` file; [`CompileError::Solc`] with all of solc's error messages;
    /// [`CompileError::Compiler`] when foundry-compilers fails otherwise (e.g. an import that
    /// does not resolve); [`CompileError::UnlinkedBytecode`] when a contract needs library
    /// linking; [`CompileError::Io`] for file-system failures in `root/.poolguard/`.
    pub fn compile(&self) -> Result<Artifacts, CompileError> {
        let started = Instant::now();
        let node = self.toolchain()?;
        let root = dunce_canonicalize(&self.root)?;
        let state = root.join(STATE_DIR);
        let _lock = lock_state_dir(&state)?;
        let project = self.project(
            node,
            &root,
            &state,
            OutputSelection::common_output_selection(OUTPUTS.iter().map(|o| (*o).to_owned())),
            true,
        )?;
        let output = project
            .compile()
            .map_err(|e| CompileError::Compiler(e.to_string()))?;

        solc_errors(&output.output().errors)?;

        let compiled_fresh = !output.is_unchanged();
        let mut contracts = output
            .into_artifacts()
            .map(|(id, artifact)| {
                let source_path = id
                    .source
                    .strip_prefix(&root)
                    .map(Path::to_path_buf)
                    .unwrap_or(id.source);
                ContractArtifact::from_foundry(id.name, source_path, artifact)
            })
            .collect::<Result<Vec<_>, _>>()?;
        contracts.sort_by(|a, b| (&a.source_path, &a.name).cmp(&(&b.source_path, &b.name)));
        contracts.dedup_by(|a, b| a.source_path == b.source_path && a.name == b.name);

        tracing::debug!(
            target: "poolguard::compile",
            contracts = contracts.len(),
            compiled_fresh,
            elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            "compiled the suite"
        );
        let policy = crate::policy::EntryPolicy::load(&root)
            .map_err(|e| CompileError::Compiler(e.to_string()))?;
        Ok(Artifacts {
            contracts,
            compiled_fresh,
            policy,
        })
    }

    /// The syntax tree solc builds of every file under `root/src` (after name and type resolution, so nodes carry
    /// `typeDescriptions`), keyed by the file's path relative to the root, as JSON (solc's compact AST). Nothing
    /// is generated and nothing is cached: only analysis runs, which is much faster than a compile.
    ///
    /// # Errors
    ///
    /// Those of [`compile`](Self::compile).
    pub fn source_asts(&self) -> Result<BTreeMap<PathBuf, serde_json::Value>, CompileError> {
        self.asts(true)
    }

    /// Like [`source_asts`](Self::source_asts), for every file the compile reads: the suite's own and the
    /// libraries it imports (OpenZeppelin under `node_modules/`), keyed by path relative to the root. AST node
    /// ids are unique across them, so a contract's base contracts can be found in any file.
    ///
    /// # Errors
    ///
    /// Those of [`compile`](Self::compile).
    pub fn all_source_asts(&self) -> Result<BTreeMap<PathBuf, serde_json::Value>, CompileError> {
        self.asts(false)
    }

    fn asts(&self, only_src: bool) -> Result<BTreeMap<PathBuf, serde_json::Value>, CompileError> {
        let node = self.toolchain()?;
        let root = dunce_canonicalize(&self.root)?;
        let state = root.join(STATE_DIR);
        let _lock = lock_state_dir(&state)?;
        let project = self.project(
            node,
            &root,
            &state.join("ast"),
            OutputSelection::ast_output_selection(),
            false,
        )?;
        let output = project
            .compile()
            .map_err(|e| CompileError::Compiler(e.to_string()))?;
        solc_errors(&output.output().errors)?;
        let sources = root.join("src");
        let mut asts = BTreeMap::new();
        for (path, file) in output.into_output().sources.into_sources() {
            let full = if path.is_absolute() {
                path
            } else {
                root.join(path)
            };
            if only_src && !full.starts_with(&sources) {
                continue;
            }
            if let Some(ast) = file.ast {
                let value = serde_json::to_value(&ast).map_err(|e| {
                    CompileError::Compiler(format!("AST of {}: {e}", full.display()))
                })?;
                let relative = full.strip_prefix(&root).unwrap_or(&full).to_path_buf();
                asts.insert(relative, value);
            }
        }
        Ok(asts)
    }

    /// The foundry-compilers project compiling `root/src` through the Node front with `selection`, its state
    /// (cache, artifacts) under `state`; `cached: false` keeps nothing on disk. The caller holds the state lock.
    fn project(
        &self,
        node: PathBuf,
        root: &Path,
        state: &Path,
        selection: OutputSelection,
        cached: bool,
    ) -> Result<foundry_compilers::Project<SolcCompiler, ConfigurableArtifacts>, CompileError> {
        let sources = root.join("src");
        if !sources.is_dir()
            || foundry_compilers::utils::source_files_iter(&sources, &["sol"])
                .next()
                .is_none()
        {
            return Err(CompileError::NoSources(sources));
        }
        let front = front_script(root)?;
        let front = front
            .to_str()
            .ok_or_else(|| {
                CompileError::Compiler(format!(
                    "the path of the solc front is not UTF-8: {}",
                    front.display()
                ))
            })?
            .to_owned();
        // Built by hand rather than with `Solc::new`, which would start Node and load solc-js
        // (~0.6 s) only to learn a version that package.json already pins.
        let solc = Solc {
            solc: node,
            version: solc_version(root)?,
            base_path: None,
            allow_paths: BTreeSet::new(),
            include_paths: BTreeSet::new(),
            extra_args: vec![front],
        };

        let paths = ProjectPathsConfig::builder()
            .root(root)
            .sources(&sources)
            // Nothing but `src/` is compiled: forge's tests and scripts live in folders that do
            // not exist.
            .tests(state.join("no-tests"))
            .scripts(state.join("no-scripts"))
            .artifacts(state.join("out"))
            .build_infos(state.join("out").join("build-info"))
            .cache(state.join("cache").join("solidity-files-cache.json"))
            .lib(root.join("node_modules"))
            .remappings(REMAPPINGS.iter().map(|(name, path)| Remapping {
                context: None,
                name: (*name).to_owned(),
                path: (*path).to_owned(),
            }))
            .build_with_root::<SolcLanguage>(root);

        let mut settings = Settings {
            output_selection: selection,
            evm_version: Some(EvmVersion::Cancun),
            ..Settings::default()
        };
        settings.optimizer.enabled = Some(true);
        settings.optimizer.runs = Some(200);

        ProjectBuilder::<SolcCompiler, ConfigurableArtifacts>::new(ConfigurableArtifacts::new(
            [ContractOutputSelection::StorageLayout],
            [],
        ))
        .paths(paths)
        .settings(SolcSettings {
            settings,
            cli_settings: CliSettings::default(),
        })
        .set_cached(cached)
        .set_no_artifacts(!cached)
        .offline()
        .build(SolcCompiler::Specific(solc))
        .map_err(|e| CompileError::Compiler(e.to_string()))
    }

    /// Checks for `node` and the npm dependencies (installing them if needed); returns `node`.
    /// Takes the state-dir lock only while installing, so the caller may take it afterwards.
    fn toolchain(&self) -> Result<PathBuf, CompileError> {
        let node = find_on_path("node")?;
        let missing = missing_npm_deps(&self.root);
        if missing.is_empty() {
            return Ok(node);
        }
        // Another thread or process may be installing them right now: wait for it, then look
        // again.
        let _lock = lock_state_dir(&self.root.join(STATE_DIR))?;
        let missing = missing_npm_deps(&self.root);
        if missing.is_empty() {
            return Ok(node);
        }
        let modules = self.root.join("node_modules");
        let sub = if self.root.join("package-lock.json").is_file() {
            "ci"
        } else {
            "install"
        };
        let command = format!("npm {sub}");
        if fs::symlink_metadata(&modules).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(CompileError::NpmFailed {
                command,
                dir: self.root.clone(),
                status: "not run".to_owned(),
                output: format!(
                    "{} is a symbolic link and lacks {}; install them where it points",
                    modules.display(),
                    missing.join(", ")
                ),
            });
        }
        let npm = find_on_path("npm")?;
        tracing::info!(
            target: "poolguard::compile",
            "installing the suite's npm dependencies ({command} in {}); missing: {}",
            self.root.display(),
            missing.join(", ")
        );
        let out = Command::new(&npm)
            .args([sub, "--no-audit", "--no-fund"])
            .current_dir(&self.root)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| CompileError::io(&npm, "cannot run", e))?;
        let failed = |status: String, output: String| CompileError::NpmFailed {
            command: command.clone(),
            dir: self.root.clone(),
            status,
            output,
        };
        if !out.status.success() {
            let mut text = String::from_utf8_lossy(&out.stderr).into_owned();
            text.push_str(&String::from_utf8_lossy(&out.stdout));
            return Err(failed(out.status.to_string(), tail(&text, NPM_OUTPUT_TAIL)));
        }
        let still_missing = missing_npm_deps(&self.root);
        if !still_missing.is_empty() {
            return Err(failed(
                out.status.to_string(),
                format!(
                    "npm finished but these are still missing: {}",
                    still_missing.join(", ")
                ),
            ));
        }
        Ok(node)
    }
}

/// Every artifact of one compile of the suite, looked up by contract name.
#[derive(Debug, Clone)]
pub struct Artifacts {
    /// Sorted by (source path, name); unique.
    contracts: Vec<ContractArtifact>,
    compiled_fresh: bool,
    /// The project's entry-point policy (`entry-points.toml`), read on every compile, cached or not.
    pub policy: crate::policy::EntryPolicy,
}

impl Artifacts {
    /// The contract called `name`, or `path:Name` with the path relative to the suite's root
    /// (e.g. `src/Pool.sol:Pool`). When a bare name matches several contracts, the single one
    /// under `src/` wins.
    ///
    /// # Errors
    ///
    /// [`CompileError::MissingContract`] when nothing matches; [`CompileError::AmbiguousContract`]
    /// when a bare name matches several contracts and not exactly one of them is under `src/`.
    pub fn get(&self, name: &str) -> Result<&ContractArtifact, CompileError> {
        if let Some((path, contract)) = name.rsplit_once(':') {
            return self
                .contracts
                .iter()
                .find(|c| c.name == contract && c.source_path == Path::new(path))
                .ok_or_else(|| CompileError::MissingContract(name.to_owned()));
        }
        let matches: Vec<&ContractArtifact> =
            self.contracts.iter().filter(|c| c.name == name).collect();
        match matches.as_slice() {
            [] => Err(CompileError::MissingContract(name.to_owned())),
            [only] => Ok(only),
            _ => {
                let mut in_src = matches.iter().filter(|c| c.source_path.starts_with("src"));
                match (in_src.next(), in_src.next()) {
                    (Some(only), None) => Ok(only),
                    _ => Err(CompileError::AmbiguousContract {
                        name: name.to_owned(),
                        candidates: matches.iter().map(|c| c.id()).collect(),
                    }),
                }
            }
        }
    }

    /// All artifacts (the suite's contracts and the library contracts they import), sorted by
    /// source path, then name.
    pub fn iter(&self) -> impl Iterator<Item = &ContractArtifact> {
        self.contracts.iter()
    }

    /// Source file of each solc source id (the `f` field of source maps), relative to the suite's root, as far as
    /// the artifacts tell (a file that defines no contract has no entry).
    pub fn source_paths(&self) -> BTreeMap<u32, PathBuf> {
        self.contracts
            .iter()
            .filter_map(|c| Some((c.source_id?, c.source_path.clone())))
            .collect()
    }

    /// `true` when this compile ran solc; `false` when everything came from the cache.
    pub fn compiled_fresh(&self) -> bool {
        self.compiled_fresh
    }

    /// Every artifact as one JSON document (a bundle), for running where the suite cannot be compiled:
    /// e.g. a fuzzer binary on a ClusterFuzzLite runner, which has no Node.js.
    pub fn to_bundle(&self) -> Vec<u8> {
        serde_json::to_vec(&Bundle {
            format: BUNDLE_FORMAT.to_owned(),
            contracts: self.contracts.clone(),
            policy: self.policy.clone(),
        })
        .expect("artifacts serialize")
    }

    /// Reads a bundle written by [`to_bundle`](Self::to_bundle) ([`compiled_fresh`](Self::compiled_fresh) is
    /// `false`).
    ///
    /// # Errors
    ///
    /// [`CompileError::Compiler`] when `bytes` is not such a bundle.
    pub fn from_bundle(bytes: &[u8]) -> Result<Self, CompileError> {
        let bundle: Bundle = serde_json::from_slice(bytes).map_err(|e| {
            CompileError::Compiler(format!("not a poolguard artifacts bundle: {e}"))
        })?;
        if bundle.format != BUNDLE_FORMAT {
            return Err(CompileError::Compiler(format!(
                "artifacts bundle format {:?}, expected {BUNDLE_FORMAT}",
                bundle.format
            )));
        }
        let mut contracts = bundle.contracts;
        contracts.sort_by(|a, b| (&a.source_path, &a.name).cmp(&(&b.source_path, &b.name)));
        contracts.dedup_by(|a, b| a.source_path == b.source_path && a.name == b.name);
        Ok(Self {
            contracts,
            compiled_fresh: false,
            policy: bundle.policy,
        })
    }
}

/// Format tag of [`Artifacts::to_bundle`] documents.
pub const BUNDLE_FORMAT: &str = "poolguard-artifacts/1";

#[derive(serde::Serialize, serde::Deserialize)]
struct Bundle {
    format: String,
    contracts: Vec<ContractArtifact>,
    #[serde(default)]
    policy: crate::policy::EntryPolicy,
}

/// What the harness needs of one compiled contract.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ContractArtifact {
    /// The contract's name, e.g. `StakingPool`.
    pub name: String,
    /// Its source file, relative to the suite's root (e.g. `src/StakingPool.sol`, or
    /// `node_modules/@openzeppelin/contracts/token/ERC20/ERC20.sol`).
    pub source_path: PathBuf,
    /// Its ABI.
    pub abi: JsonAbi,
    /// Creation code (empty for interfaces and abstract contracts).
    pub bytecode: Bytes,
    /// Runtime code (empty for interfaces and abstract contracts).
    pub deployed_bytecode: Bytes,
    /// solc's source map of the creation code, when solc produced one.
    pub source_map: Option<String>,
    /// solc's source map of the runtime code, when solc produced one.
    pub deployed_source_map: Option<String>,
    /// solc's `storageLayout` output (`{"storage": [...], "types": {...}}`).
    pub storage_layout: Option<serde_json::Value>,
    /// solc's id of this contract's source file in the compile that produced it (the `f` of source maps).
    #[serde(default)]
    pub source_id: Option<u32>,
    /// Byte ranges `(start, length)` of the runtime code that the constructor fills with immutables: deployed
    /// code differs from [`deployed_bytecode`](Self::deployed_bytecode) only there.
    #[serde(default)]
    pub immutable_ranges: Vec<(u32, u32)>,
}

impl ContractArtifact {
    /// `path:Name`, the unambiguous form accepted by [`Artifacts::get`].
    pub fn id(&self) -> String {
        format!("{}:{}", self.source_path.display(), self.name)
    }

    fn from_foundry(
        name: String,
        source_path: PathBuf,
        artifact: ConfigurableContractArtifact,
    ) -> Result<Self, CompileError> {
        let mut this = Self {
            name,
            source_path,
            abi: artifact.abi.unwrap_or_default(),
            bytecode: Bytes::new(),
            deployed_bytecode: Bytes::new(),
            source_map: None,
            deployed_source_map: None,
            storage_layout: artifact
                .storage_layout
                .map(serde_json::to_value)
                .transpose()
                .map_err(|e| CompileError::Compiler(format!("storage layout: {e}")))?,
            source_id: artifact.id,
            immutable_ranges: artifact
                .deployed_bytecode
                .as_ref()
                .map(|d| {
                    d.immutable_references
                        .values()
                        .flatten()
                        .map(|o| (o.start, o.length))
                        .collect()
                })
                .unwrap_or_default(),
        };
        if let Some(code) = artifact.bytecode {
            (this.bytecode, this.source_map) = this.code(code)?;
        }
        if let Some(code) = artifact.deployed_bytecode.and_then(|d| d.bytecode) {
            (this.deployed_bytecode, this.deployed_source_map) = this.code(code)?;
        }
        Ok(this)
    }

    fn code(&self, code: CompactBytecode) -> Result<(Bytes, Option<String>), CompileError> {
        match code.object {
            BytecodeObject::Bytecode(bytes) => Ok((bytes, code.source_map)),
            BytecodeObject::Unlinked(_) => Err(CompileError::UnlinkedBytecode {
                contract: self.id(),
                libraries: code
                    .link_references
                    .iter()
                    .flat_map(|(file, libs)| libs.keys().map(move |lib| format!("{file}:{lib}")))
                    .collect(),
            }),
        }
    }
}

/// Canonical form of `path` (no `\\?\` prefix on Windows, as foundry-compilers does it).
fn dunce_canonicalize(path: &Path) -> Result<PathBuf, CompileError> {
    foundry_compilers::utils::canonicalize(path)
        .map_err(|e| CompileError::Compiler(format!("suite root: {e}")))
}

/// Creates `state` and takes an exclusive lock on `state/lock`; released when the file drops.
fn lock_state_dir(state: &Path) -> Result<fs::File, CompileError> {
    fs::create_dir_all(state).map_err(|e| CompileError::io(state, "cannot create", e))?;
    let path = state.join("lock");
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| CompileError::io(&path, "cannot open", e))?;
    file.lock()
        .map_err(|e| CompileError::io(&path, "cannot lock", e))?;
    Ok(file)
}

/// The front to run: the suite's own `solc-front.js`, or poolguard's copy in `.poolguard/`.
fn front_script(root: &Path) -> Result<PathBuf, CompileError> {
    let own = root.join(FRONT_FILE);
    if own.is_file() {
        return Ok(own);
    }
    let dir = root.join(STATE_DIR);
    let copy = dir.join(FRONT_FILE);
    if fs::read(&copy).ok().as_deref() == Some(FRONT_JS.as_bytes()) {
        return Ok(copy);
    }
    fs::create_dir_all(&dir).map_err(|e| CompileError::io(&dir, "cannot create", e))?;
    // Write then rename, so that a concurrent compile never runs a half-written front.
    let tmp = dir.join(format!("{FRONT_FILE}.{}.tmp", std::process::id()));
    fs::write(&tmp, FRONT_JS).map_err(|e| CompileError::io(&tmp, "cannot write", e))?;
    fs::rename(&tmp, &copy).map_err(|e| CompileError::io(&copy, "cannot create", e))?;
    Ok(copy)
}

/// The version of the npm `solc` package installed in `root/node_modules`.
fn solc_version(root: &Path) -> Result<semver::Version, CompileError> {
    let manifest = root.join("node_modules").join("solc").join("package.json");
    let text =
        fs::read_to_string(&manifest).map_err(|e| CompileError::io(&manifest, "cannot read", e))?;
    let bad = |why: String| {
        CompileError::Compiler(format!(
            "{}: no usable solc version: {why}",
            manifest.display()
        ))
    };
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    let version = json
        .get("version")
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| bad("no \"version\" field".to_owned()))?;
    semver::Version::parse(version).map_err(|e| bad(format!("{version:?}: {e}")))
}

/// The npm packages (`solc` and `package.json`'s dependencies) missing from `root/node_modules`.
fn missing_npm_deps(root: &Path) -> Vec<String> {
    let mut wanted = vec!["solc".to_owned()];
    if let Some(deps) = fs::read_to_string(root.join("package.json"))
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .as_ref()
        .and_then(|json| json.get("dependencies"))
        .and_then(serde_json::Value::as_object)
    {
        wanted.extend(deps.keys().filter(|d| d.as_str() != "solc").cloned());
    }
    let modules = root.join("node_modules");
    wanted.retain(|dep| {
        let dir = modules.join(dep);
        let installed = dir.join("package.json").is_file()
            && (dep != "solc" || dir.join("soljson.js").is_file());
        !installed
    });
    wanted
}

/// The first executable called `name` in `PATH`.
fn find_on_path(name: &str) -> Result<PathBuf, CompileError> {
    let names: Vec<String> = if cfg!(windows) {
        vec![
            format!("{name}.exe"),
            format!("{name}.cmd"),
            name.to_owned(),
        ]
    } else {
        vec![name.to_owned()]
    };
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|candidate| is_executable(candidate))
        .ok_or_else(|| CompileError::NodeMissing {
            tool: name.to_owned(),
        })
}

fn is_executable(path: &Path) -> bool {
    let Ok(meta) = fs::metadata(path) else {
        return false;
    };
    if !meta.is_file() {
        return false;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        path.extension().is_some()
    }
}

/// The last `max` bytes of `text` (on a character boundary).
fn tail(text: &str, max: usize) -> String {
    let text = text.trim_end();
    if text.len() <= max {
        return text.to_owned();
    }
    let mut start = text.len() - max;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    format!("…{}", &text[start..])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A folder under the system temp dir, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(tag: &str) -> Self {
            use std::sync::atomic::{AtomicUsize, Ordering};
            static NEXT: AtomicUsize = AtomicUsize::new(0);
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let dir = std::env::temp_dir().join(format!(
                "poolguard-compile-{tag}-{}-{n}",
                std::process::id()
            ));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir).expect("create temp dir");
            Self(dir)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn real_suite() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("contracts")
    }

    #[test]
    fn a_printed_command_names_the_suite_only_where_the_default_would_not_find_it() {
        assert_eq!(
            poolguard_command(Path::new(DEFAULT_CONTRACTS), &["replay", "kept/A.json"]),
            "poolguard replay kept/A.json"
        );
        // The same suite by another name is the default's.
        assert_eq!(
            poolguard_command(&real_suite(), &["replay", "a b.json"]),
            "poolguard replay 'a b.json'"
        );
        let elsewhere = TempDir::new("hint");
        let named = elsewhere.0.join("it's here");
        fs::create_dir_all(&named).unwrap();
        assert_eq!(
            poolguard_command(&named, &["fuzz", "--variant", "v"]),
            format!(
                "poolguard --contracts '{}' fuzz --variant v",
                named.display().to_string().replace('\'', r"'\''")
            )
        );
        assert_eq!(shell_word(""), "''");
        assert_eq!(shell_word("$HOME"), "'$HOME'");
        assert_eq!(shell_word("a/b-c_1.json"), "a/b-c_1.json");
    }

    /// A suite in a temp dir: `node_modules` links to the real one, `package.json` is copied,
    /// and the front only when `with_front`.
    fn temp_suite(tag: &str, with_front: bool, files: &[(&str, &str)]) -> TempDir {
        SuiteCompiler::new(real_suite())
            .ensure_toolchain()
            .expect("toolchain");
        let dir = TempDir::new(tag);
        #[cfg(unix)]
        std::os::unix::fs::symlink(
            real_suite().join("node_modules"),
            dir.0.join("node_modules"),
        )
        .expect("symlink node_modules");
        fs::copy(
            real_suite().join("package.json"),
            dir.0.join("package.json"),
        )
        .expect("copy package.json");
        if with_front {
            fs::copy(real_suite().join(FRONT_FILE), dir.0.join(FRONT_FILE)).expect("copy front");
        }
        for (path, text) in files {
            write(&dir.0, path, text);
        }
        dir
    }

    fn write(root: &Path, path: &str, text: &str) {
        let path = root.join(path);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, text).expect("write");
    }

    const TOKEN: &str = r#"// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";

contract Token is ERC20, Initializable {
    uint256 public extra;
    constructor() ERC20("Token", "TOK") { _mint(msg.sender, 1e18); }
    function setExtra(uint256 v) external { extra = v; }
}
"#;

    #[test]
    fn compiles_then_reuses_the_cache() {
        let dir = temp_suite(
            "cache",
            true,
            &[
                ("src/Token.sol", TOKEN),
                // forge tests are not compiled: this one would not even parse.
                ("test/Broken.t.sol", "this is not solidity"),
            ],
        );

        let first = SuiteCompiler::new(&dir.0).compile().expect("first compile");
        assert!(first.compiled_fresh());
        let token = first.get("Token").expect("Token");
        assert_eq!(token.source_path, Path::new("src/Token.sol"));
        assert!(!token.bytecode.is_empty());
        assert!(!token.deployed_bytecode.is_empty());
        assert!(token.abi.function("transfer").is_some());
        assert!(token.abi.function("setExtra").is_some());
        assert!(token.source_map.as_deref().is_some_and(|m| !m.is_empty()));
        assert!(token
            .deployed_source_map
            .as_deref()
            .is_some_and(|m| !m.is_empty()));
        let layout = token.storage_layout.as_ref().expect("storage layout");
        let labels: Vec<&str> = layout["storage"]
            .as_array()
            .expect("storage array")
            .iter()
            .filter_map(|slot| slot["label"].as_str())
            .collect();
        assert!(labels.contains(&"extra"), "{labels:?}");
        let erc20 = first.get("ERC20").expect("ERC20");
        assert_eq!(
            erc20.source_path,
            Path::new("node_modules/@openzeppelin/contracts/token/ERC20/ERC20.sol")
        );
        assert!(first.get("src/Token.sol:Token").is_ok());
        assert!(matches!(
            first.get("Nope"),
            Err(CompileError::MissingContract(_))
        ));
        assert!(dir.0.join(".poolguard/out").is_dir());
        assert!(dir
            .0
            .join(".poolguard/cache/solidity-files-cache.json")
            .is_file());

        let second = SuiteCompiler::new(&dir.0)
            .compile()
            .expect("second compile");
        assert!(
            !second.compiled_fresh(),
            "an unchanged suite must come from the cache"
        );
        let cached = second.get("Token").expect("cached Token");
        assert_eq!(cached.bytecode, token.bytecode);
        assert_eq!(cached.deployed_bytecode, token.deployed_bytecode);
        assert_eq!(cached.abi, token.abi);
        assert_eq!(cached.source_map, token.source_map);
        assert_eq!(cached.storage_layout, token.storage_layout);
        assert_eq!(second.iter().count(), first.iter().count());

        write(&dir.0, "src/Token.sol", &TOKEN.replace("1e18", "2e18"));
        let third = SuiteCompiler::new(&dir.0).compile().expect("third compile");
        assert!(
            third.compiled_fresh(),
            "a changed source must be recompiled"
        );
        assert_ne!(third.get("Token").expect("Token").bytecode, token.bytecode);
    }

    #[test]
    fn solc_errors_carry_solcs_messages() {
        // No front in the copy: poolguard writes its own into .poolguard/.
        let dir = temp_suite(
            "syntax",
            false,
            &[("src/Bad.sol", "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.20;\ncontract Bad { function f( }\n")],
        );
        match SuiteCompiler::new(&dir.0).compile() {
            Err(CompileError::Solc { errors }) => {
                assert!(errors.contains("ParserError"), "{errors}");
                assert!(errors.contains("src/Bad.sol"), "{errors}");
            }
            other => panic!("expected CompileError::Solc, got {other:?}"),
        }
        assert!(dir.0.join(STATE_DIR).join(FRONT_FILE).is_file());

        // A type error (found by solc, not by the import resolver) after the syntax is fixed.
        write(
            &dir.0,
            "src/Bad.sol",
            "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.20;\ncontract Bad { function f() public { uint8 x = -1; } }\n",
        );
        match SuiteCompiler::new(&dir.0).compile() {
            Err(CompileError::Solc { errors }) => assert!(errors.contains("TypeError"), "{errors}"),
            other => panic!("expected CompileError::Solc, got {other:?}"),
        }

        write(
            &dir.0,
            "src/Bad.sol",
            "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.20;\ncontract Bad { function f() public pure returns (uint8) { return 1; } }\n",
        );
        let ok = SuiteCompiler::new(&dir.0)
            .compile()
            .expect("fixed source compiles");
        assert!(ok.compiled_fresh());
        assert!(ok.get("Bad").is_ok());
    }

    #[test]
    fn missing_sources_and_imports_are_errors_not_panics() {
        let dir = temp_suite("empty", true, &[]);
        assert!(matches!(
            SuiteCompiler::new(&dir.0).compile(),
            Err(CompileError::NoSources(_))
        ));

        write(
            &dir.0,
            "src/A.sol",
            "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.20;\nimport \"./Nope.sol\";\ncontract A {}\n",
        );
        let err = SuiteCompiler::new(&dir.0)
            .compile()
            .expect_err("unresolvable import");
        assert!(
            matches!(err, CompileError::Compiler(_) | CompileError::Solc { .. }),
            "{err:?}"
        );
        assert!(err.to_string().contains("Nope.sol"), "{err}");
    }

    #[test]
    fn parallel_compiles_of_one_suite_agree() {
        let dir = temp_suite("parallel", true, &[("src/Token.sol", TOKEN)]);
        let results: Vec<Artifacts> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..3)
                .map(|_| scope.spawn(|| SuiteCompiler::new(&dir.0).compile().expect("compile")))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("thread"))
                .collect()
        });
        assert_eq!(results.iter().filter(|a| a.compiled_fresh()).count(), 1);
        let code = &results[0].get("Token").expect("Token").deployed_bytecode;
        assert!(results
            .iter()
            .all(|a| &a.get("Token").expect("Token").deployed_bytecode == code));
    }

    fn artifact(path: &str, name: &str) -> ContractArtifact {
        ContractArtifact {
            name: name.to_owned(),
            source_path: PathBuf::from(path),
            abi: JsonAbi::default(),
            bytecode: Bytes::new(),
            deployed_bytecode: Bytes::new(),
            source_map: None,
            deployed_source_map: None,
            storage_layout: None,
            source_id: None,
            immutable_ranges: Vec::new(),
        }
    }

    #[test]
    fn lookup_prefers_src_and_reports_ambiguity() {
        let artifacts = Artifacts {
            contracts: vec![
                artifact("node_modules/x/IToken.sol", "IToken"),
                artifact("node_modules/y/IToken.sol", "IToken"),
                artifact("node_modules/y/Pool.sol", "Pool"),
                artifact("src/Pool.sol", "Pool"),
            ],
            compiled_fresh: false,
            policy: Default::default(),
        };
        assert_eq!(
            artifacts.get("Pool").expect("Pool").source_path,
            Path::new("src/Pool.sol")
        );
        assert!(artifacts.get("node_modules/y/Pool.sol:Pool").is_ok());
        match artifacts.get("IToken") {
            Err(CompileError::AmbiguousContract { candidates, .. }) => {
                assert_eq!(candidates.len(), 2);
            }
            other => panic!("expected AmbiguousContract, got {other:?}"),
        }
        assert!(matches!(
            artifacts.get("src/Nope.sol:Pool"),
            Err(CompileError::MissingContract(_))
        ));
        assert!(matches!(
            artifacts.get(""),
            Err(CompileError::MissingContract(_))
        ));
    }

    #[test]
    fn tail_keeps_the_end_on_a_char_boundary() {
        assert_eq!(tail("abc\n", 10), "abc");
        assert_eq!(tail("ééé", 3), "…é");
    }
}
