//! Storage-layout safety of the upgradeable implementations: each one's layout, read from solc's `storageLayout`
//! output, compared with a committed baseline (`storage-layout.json` in the suite's root, written by
//! `poolguard layout --write`). An upgrade keeps the proxy's storage and swaps the code, so the new code must
//! read every variable where the old one wrote it: variables may only be appended; none may move, change type
//! or disappear. (Renaming one is harmless and is only noted.)
//!
//! Which contracts are upgradeable implementations is read from the compiled suite, not listed: the contracts
//! under `src/core/` with creation code whose ABI has OpenZeppelin's `Initialized(uint64)` event (they inherit
//! `Initializable`, so they run behind a proxy or a beacon).
//!
//! The OpenZeppelin bases keep their own state in ERC-7201 namespaces, which solc's layout does not list. They
//! are read from solc's syntax trees of every source (OpenZeppelin's included): each struct a base of an
//! implementation annotates `@custom:storage-location erc7201:ID` is a namespace at
//! `keccak256(abi.encode(uint256(keccak256(ID)) - 1)) & ~0xff`. The baseline records each implementation's
//! namespaces with their members; a namespace may not disappear and its members follow the variables' rule
//! (only appended). And the contract that declares one must hold that slot in a `bytes32` constant: a constant
//! that does not match its id points the struct somewhere else.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::compile::{Artifacts, ContractArtifact};

/// The baseline's file name, in the suite's root.
pub const BASELINE_FILE: &str = "storage-layout.json";

/// Format tag of the baseline.
pub const LAYOUT_FORMAT: &str = "poolguard-storage-layout/2";

/// Errors reading or writing the baseline.
#[derive(Debug, thiserror::Error)]
pub enum LayoutError {
    /// The file could not be read or written.
    #[error("{path}: {error}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        error: std::io::Error,
    },
    /// The file is not a baseline.
    #[error("{path}: not a storage-layout baseline: {message}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// There is no baseline to compare with.
    #[error("{0}: no storage-layout baseline")]
    Missing(PathBuf),
}

/// One state variable where solc placed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variable {
    /// Its name (`_commissionBps`).
    pub label: String,
    /// Its slot.
    pub slot: String,
    /// Its byte offset in the slot.
    pub offset: u64,
    /// Its type, spelt out without compiler-internal ids (a struct with its members, a mapping with its key
    /// and value), so that an unchanged type reads the same in every compile.
    #[serde(rename = "type")]
    pub ty: String,
}

/// One member of an ERC-7201 namespace's struct.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// Its name (`_owner`).
    pub label: String,
    /// Its type as solc spells it (`address`, `mapping(address => uint256)`).
    #[serde(rename = "type")]
    pub ty: String,
}

/// An ERC-7201 namespace an upgradeable implementation keeps state in (through one of its bases).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Namespace {
    /// Its id (`openzeppelin.storage.Ownable`).
    pub id: String,
    /// The contract that declares it (`OwnableUpgradeable`).
    pub declared_in: String,
    /// Its slot, from the id by ERC-7201's formula, as 0x-prefixed hex.
    pub slot: String,
    /// The struct's members, in storage order.
    pub members: Vec<Member>,
}

/// The baseline: every upgradeable implementation's variables and namespaces, by `path:Name`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    /// Always [`LAYOUT_FORMAT`].
    pub format: String,
    /// Variables in storage order, per contract.
    pub contracts: BTreeMap<String, Vec<Variable>>,
    /// ERC-7201 namespaces, per contract, in the order of its base contracts (most basic first).
    pub namespaces: BTreeMap<String, Vec<Namespace>>,
}

/// The ERC-7201 namespaces of the suite's upgradeable implementations, read from the syntax trees.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Namespaces {
    /// Per contract (`path:Name`), as [`Baseline::namespaces`].
    pub by_contract: BTreeMap<String, Vec<Namespace>>,
    /// `(contract, namespace id, what is wrong)` for each namespace whose declaring contract holds no `bytes32`
    /// constant equal to its slot.
    pub misplaced: Vec<(String, String, String)>,
}

/// ERC-7201's slot of namespace `id`: `keccak256(abi.encode(uint256(keccak256(id)) - 1)) & ~bytes32(uint256(0xff))`.
pub fn erc7201_slot(id: &str) -> alloy_primitives::U256 {
    use alloy_primitives::{keccak256, U256};
    let inner = U256::from_be_bytes(keccak256(id.as_bytes()).0).wrapping_sub(U256::from(1u8));
    U256::from_be_bytes(keccak256(inner.to_be_bytes::<32>()).0) & !U256::from(0xffu8)
}

/// OpenZeppelin 5's AccessControl namespace, [`erc7201_slot`]`("openzeppelin.storage.AccessControl")`.
pub const ACCESS_CONTROL_STORAGE: alloy_primitives::B256 =
    alloy_primitives::b256!("02dd7bc7dec4dceedda775e58dd541e08a116c6c53815c0bd028192f7b626800");
/// OpenZeppelin 5's Ownable namespace, [`erc7201_slot`]`("openzeppelin.storage.Ownable")`: `_owner` is its first word.
pub const OWNABLE_STORAGE: alloy_primitives::B256 =
    alloy_primitives::b256!("9016d09d72d40fdae2fd8ceac6b6234c7706214fd39c1cd1e609a0528c199300");

/// OpenZeppelin 5's ERC721 namespace, [`erc7201_slot`]`("openzeppelin.storage.ERC721")`: `_name`, `_symbol`, then
/// `_owners`.
pub const ERC721_STORAGE: alloy_primitives::B256 =
    alloy_primitives::b256!("80bb2b638cc20bc4d0a60d66940f3ab4a00c1d7b313497ca82fb0b4ab0079300");

/// The slot of `_owners[id]` of an OZ 5 ERC721Upgradeable (zero once the id is burnt).
pub fn erc721_owner_slot(id: alloy_primitives::U256) -> alloy_primitives::U256 {
    let owners =
        alloy_primitives::U256::from_be_bytes(ERC721_STORAGE.0) + alloy_primitives::U256::from(2u8);
    mapping_slot(id.into(), owners.into()).into()
}

/// The slot of `_symbol` of an OZ 5 ERC721Upgradeable.
pub fn erc721_symbol_slot() -> alloy_primitives::U256 {
    alloy_primitives::U256::from_be_bytes(ERC721_STORAGE.0) + alloy_primitives::U256::from(1u8)
}

/// A Solidity `string` stored in one slot (at most 31 bytes: the bytes left-aligned, twice the length in the lowest
/// byte); `None` for a longer string, kept elsewhere.
pub fn short_string(word: alloy_primitives::U256) -> Option<String> {
    let bytes = word.to_be_bytes::<32>();
    let tag = bytes[31];
    if tag & 1 == 1 {
        return None;
    }
    let len = usize::from(tag / 2).min(31);
    Some(String::from_utf8_lossy(&bytes[..len]).into_owned())
}

/// `keccak256(key . base)`: the slot of `mapping[key]` for a mapping at `base`.
pub fn mapping_slot(
    key: alloy_primitives::B256,
    base: alloy_primitives::B256,
) -> alloy_primitives::B256 {
    let mut buf = [0u8; 64];
    buf[..32].copy_from_slice(key.as_slice());
    buf[32..].copy_from_slice(base.as_slice());
    alloy_primitives::keccak256(buf)
}

/// The slot of `_roles[role].hasRole[who]` of an OZ 5 AccessControlUpgradeable.
pub fn role_slot(
    role: alloy_primitives::B256,
    who: alloy_primitives::Address,
) -> alloy_primitives::U256 {
    mapping_slot(who.into_word(), mapping_slot(role, ACCESS_CONTROL_STORAGE)).into()
}

/// The namespaces of the implementations named by `contracts` (`path:Name` keys), from `asts` (every source's
/// syntax tree, as [`SuiteCompiler::all_source_asts`](crate::compile::SuiteCompiler::all_source_asts) returns).
pub fn namespaces<'a>(
    asts: &BTreeMap<PathBuf, Value>,
    contracts: impl IntoIterator<Item = &'a String>,
) -> Namespaces {
    let mut by_id: std::collections::HashMap<i64, &Value> = std::collections::HashMap::new();
    let mut by_key: std::collections::HashMap<String, &Value> = std::collections::HashMap::new();
    for (path, ast) in asts {
        for node in ast["nodes"].as_array().into_iter().flatten() {
            if node["nodeType"] != "ContractDefinition" {
                continue;
            }
            if let Some(id) = node["id"].as_i64() {
                by_id.insert(id, node);
            }
            let name = node["name"].as_str().unwrap_or_default();
            by_key.insert(format!("{}:{name}", path.display()), node);
        }
    }
    let mut out = Namespaces::default();
    for key in contracts {
        let Some(contract) = by_key.get(key) else {
            continue;
        };
        let mut found = Vec::new();
        let bases = contract["linearizedBaseContracts"]
            .as_array()
            .into_iter()
            .flatten();
        // solc lists the contract itself first and its most basic base last: reversed, the order storage follows.
        let bases: Vec<&Value> = bases
            .filter_map(|id| id.as_i64().and_then(|id| by_id.get(&id).copied()))
            .collect();
        for base in bases.into_iter().rev() {
            let declared_in = base["name"].as_str().unwrap_or_default().to_string();
            let children = base["nodes"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default();
            let constants: Vec<alloy_primitives::U256> = children
                .iter()
                .filter(|n| n["nodeType"] == "VariableDeclaration" && n["constant"] == true)
                .filter_map(|n| n["value"]["value"].as_str())
                .filter_map(|literal| literal.parse().ok())
                .collect();
            for node in children
                .iter()
                .filter(|n| n["nodeType"] == "StructDefinition")
            {
                let doc = node["documentation"]["text"]
                    .as_str()
                    .or(node["documentation"].as_str());
                let Some(id) =
                    doc.and_then(|d| d.split("@custom:storage-location erc7201:").nth(1))
                else {
                    continue;
                };
                let id = id.split_whitespace().next().unwrap_or_default().to_string();
                let slot = erc7201_slot(&id);
                if !constants.contains(&slot) {
                    out.misplaced.push((
                        key.clone(),
                        id.clone(),
                        format!(
                            "{declared_in} declares namespace erc7201:{id}, whose slot is {slot:#066x}, but holds no bytes32 constant with that value: its struct is read and written somewhere else"
                        ),
                    ));
                }
                let members = node["members"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|m| Member {
                        label: m["name"].as_str().unwrap_or_default().to_string(),
                        ty: m["typeDescriptions"]["typeString"]
                            .as_str()
                            .unwrap_or_default()
                            .to_string(),
                    })
                    .collect();
                found.push(Namespace {
                    id,
                    declared_in: declared_in.clone(),
                    slot: format!("{slot:#066x}"),
                    members,
                });
            }
        }
        out.by_contract.insert(key.clone(), found);
    }
    out
}

/// What is wrong with one contract's layout against the baseline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incompatibility {
    /// `path:Name`.
    pub contract: String,
    /// The contract's source file (relative to the suite's root).
    pub source: PathBuf,
    /// The variable that moved, changed or disappeared (or the first one that was inserted).
    pub variable: String,
    /// What happened.
    pub message: String,
}

/// The comparison of a compiled suite with the baseline.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LayoutReport {
    /// Contracts compared, by `path:Name`, with their source file.
    pub checked: Vec<(String, PathBuf)>,
    /// What breaks an upgrade.
    pub incompatibilities: Vec<Incompatibility>,
    /// What does not (renames, appended variables).
    pub notes: Vec<String>,
    /// Upgradeable implementations new since the baseline, by `path:Name` (compatible: nothing to upgrade from).
    pub unrecorded: Vec<String>,
}

impl LayoutReport {
    /// Whether every contract's layout is compatible with the baseline.
    pub fn compatible(&self) -> bool {
        self.incompatibilities.is_empty()
    }

    /// A readable summary, one line per contract and per finding; `write_command` is the command line that records
    /// the suite's baseline, named where a contract is new since it.
    pub fn render(&self, write_command: &str) -> String {
        let mut text = String::new();
        for (contract, _) in &self.checked {
            let problems: Vec<&Incompatibility> = self
                .incompatibilities
                .iter()
                .filter(|i| &i.contract == contract)
                .collect();
            let status = if problems.is_empty() {
                "compatible".to_string()
            } else {
                format!("{} incompatible change(s)", problems.len())
            };
            let _ = writeln!(text, "{contract}: {status}");
            for p in problems {
                let _ = writeln!(text, "  {}: {}", p.variable, p.message);
            }
        }
        for note in &self.notes {
            let _ = writeln!(text, "note: {note}");
        }
        for contract in &self.unrecorded {
            let _ = writeln!(
                text,
                "note: {contract}: new upgradeable implementation, not in the baseline (`{write_command}` adds it)"
            );
        }
        text
    }
}

/// The slot solc gave state variable `label` of `contract` (its storage layout); `None` when the contract was
/// compiled without a layout or declares no such variable. What the harness reads from storage instead of a view
/// is located this way, so that a variant or mutant that moves a variable is still read where it lives.
pub fn slot_of(contract: &ContractArtifact, label: &str) -> Option<alloy_primitives::U256> {
    contract.storage_layout.as_ref()?["storage"]
        .as_array()?
        .iter()
        .find(|v| v["label"] == label)
        .and_then(|v| v["slot"].as_str()?.parse().ok())
}

/// Whether `contract` is an upgradeable implementation of the suite (see the module's documentation).
pub fn is_upgradeable(contract: &ContractArtifact) -> bool {
    contract.source_path.starts_with("src/core")
        && !contract.bytecode.is_empty()
        && contract.abi.events().any(|e| e.name == "Initialized")
}

/// The upgradeable implementations' layouts, by `path:Name`, with their source files.
pub fn current(artifacts: &Artifacts) -> BTreeMap<String, (PathBuf, Vec<Variable>)> {
    artifacts
        .iter()
        .filter(|c| is_upgradeable(c))
        .map(|c| {
            let key = format!("{}:{}", c.source_path.display(), c.name);
            let vars = c.storage_layout.as_ref().map(variables).unwrap_or_default();
            (key, (c.source_path.clone(), vars))
        })
        .collect()
}

/// The variables of one solc `storageLayout` object.
fn variables(layout: &Value) -> Vec<Variable> {
    let types = &layout["types"];
    layout["storage"]
        .as_array()
        .map(|storage| {
            storage
                .iter()
                .map(|v| Variable {
                    label: v["label"].as_str().unwrap_or_default().to_string(),
                    slot: v["slot"].as_str().unwrap_or_default().to_string(),
                    offset: v["offset"].as_u64().unwrap_or_default(),
                    ty: type_text(types, v["type"].as_str().unwrap_or_default(), 0),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A type spelt out from solc's type table: its label and size, with a struct's members, a mapping's value and
/// an array's element (solc's type ids carry AST ids, which change with unrelated edits).
fn type_text(types: &Value, id: &str, depth: usize) -> String {
    let t = &types[id];
    let label = t["label"].as_str().unwrap_or(id);
    let bytes = t["numberOfBytes"].as_str().unwrap_or("?");
    if depth > 8 {
        return label.to_string();
    }
    let mut text = format!("{label} ({bytes} bytes)");
    if let Some(members) = t["members"].as_array() {
        let inner: Vec<String> = members
            .iter()
            .map(|m| {
                format!(
                    "{}@{}+{}: {}",
                    m["label"].as_str().unwrap_or_default(),
                    m["slot"].as_str().unwrap_or_default(),
                    m["offset"].as_u64().unwrap_or_default(),
                    type_text(types, m["type"].as_str().unwrap_or_default(), depth + 1)
                )
            })
            .collect();
        let _ = write!(text, " {{{}}}", inner.join("; "));
    }
    if let Some(value) = t["value"].as_str() {
        let _ = write!(text, " => {}", type_text(types, value, depth + 1));
    }
    if let Some(base) = t["base"].as_str() {
        let _ = write!(text, " of {}", type_text(types, base, depth + 1));
    }
    text
}

/// The baseline of `artifacts`, with the namespaces read from `asts` (every source's syntax tree).
pub fn baseline_of(artifacts: &Artifacts, asts: &BTreeMap<PathBuf, Value>) -> Baseline {
    let contracts: BTreeMap<String, Vec<Variable>> = current(artifacts)
        .into_iter()
        .map(|(k, (_, vars))| (k, vars))
        .collect();
    Baseline {
        format: LAYOUT_FORMAT.to_string(),
        namespaces: namespaces(asts, contracts.keys()).by_contract,
        contracts,
    }
}

/// Writes the baseline of `artifacts` (namespaces from `asts`) to `root/storage-layout.json`.
pub fn write_baseline(
    root: &Path,
    artifacts: &Artifacts,
    asts: &BTreeMap<PathBuf, Value>,
) -> Result<PathBuf, LayoutError> {
    let path = root.join(BASELINE_FILE);
    let mut json =
        serde_json::to_string_pretty(&baseline_of(artifacts, asts)).expect("baselines serialize");
    json.push('\n');
    std::fs::write(&path, json).map_err(|error| LayoutError::Io {
        path: path.clone(),
        error,
    })?;
    Ok(path)
}

/// Reads the baseline in `root`.
pub fn read_baseline(root: &Path) -> Result<Baseline, LayoutError> {
    let path = root.join(BASELINE_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(LayoutError::Missing(path))
        }
        Err(error) => return Err(LayoutError::Io { path, error }),
    };
    let malformed = |message: String| LayoutError::Malformed {
        path: path.clone(),
        message,
    };
    let value: Value = serde_json::from_str(&text).map_err(|e| malformed(e.to_string()))?;
    // The format first: an older baseline lacks fields, and saying so beats a missing-field error.
    if value["format"] != LAYOUT_FORMAT {
        return Err(malformed(format!(
            "format {}, expected {LAYOUT_FORMAT:?} (re-record it with `{}`)",
            value["format"],
            crate::compile::poolguard_command(root, &["layout", "--write"])
        )));
    }
    serde_json::from_value(value).map_err(|e| malformed(e.to_string()))
}

/// Compares the compiled suite with `baseline` (its namespaces read from `asts`, every source's syntax tree).
pub fn compare(
    baseline: &Baseline,
    artifacts: &Artifacts,
    asts: &BTreeMap<PathBuf, Value>,
) -> LayoutReport {
    let now = current(artifacts);
    let spaces = namespaces(asts, now.keys());
    let mut report = LayoutReport::default();
    for (contract, old) in &baseline.contracts {
        let Some((source, new)) = now.get(contract) else {
            report.incompatibilities.push(Incompatibility {
                contract: contract.clone(),
                source: PathBuf::from(contract.split(':').next().unwrap_or_default()),
                variable: "(contract)".to_string(),
                message: "is no longer an upgradeable implementation of the suite (renamed, moved or removed): \
                          proxies that run it would lose their code"
                    .to_string(),
            });
            continue;
        };
        report.checked.push((contract.clone(), source.clone()));
        let mut problem = |variable: &str, message: String| {
            report.incompatibilities.push(Incompatibility {
                contract: contract.clone(),
                source: source.clone(),
                variable: variable.to_string(),
                message,
            })
        };
        let mut broken = false;
        for (i, was) in old.iter().enumerate() {
            match new.get(i) {
                None => {
                    problem(
                        &was.label,
                        format!("was at slot {} offset {} and is gone", was.slot, was.offset),
                    );
                    broken = true;
                }
                Some(is) if is.slot != was.slot || is.offset != was.offset || is.ty != was.ty => {
                    let inserted = !old.iter().any(|o| o.label == is.label);
                    let message = if inserted {
                        format!(
                            "a new variable {} was inserted at slot {} offset {}, before {} (slot {} offset {}): \
                             every variable from here on moved (append new variables after the last one)",
                            is.label, is.slot, is.offset, was.label, was.slot, was.offset
                        )
                    } else if is.ty != was.ty && is.slot == was.slot && is.offset == was.offset {
                        format!("changed type at slot {}: {} -> {}", was.slot, was.ty, is.ty)
                    } else {
                        format!(
                            "was at slot {} offset {} ({}), is now {} at slot {} offset {} ({})",
                            was.slot, was.offset, was.ty, is.label, is.slot, is.offset, is.ty
                        )
                    };
                    problem(if inserted { &is.label } else { &was.label }, message);
                    broken = true;
                    // One cause moves everything after it: report it once.
                    break;
                }
                Some(is) if is.label != was.label => report.notes.push(format!(
                    "{contract}: {} renamed to {} (same slot and type: harmless)",
                    was.label, is.label
                )),
                Some(_) => {}
            }
        }
        if !broken && new.len() > old.len() {
            let added: Vec<&str> = new[old.len()..].iter().map(|v| v.label.as_str()).collect();
            report.notes.push(format!(
                "{contract}: appended {} (compatible)",
                added.join(", ")
            ));
        }
    }
    compare_namespaces(baseline, &now, &spaces, &mut report);
    for (contract, (source, _)) in &now {
        if !baseline.contracts.contains_key(contract) {
            report.checked.push((contract.clone(), source.clone()));
            report.unrecorded.push(contract.clone());
        }
    }
    report
}

/// The namespace half of [`compare`]: every namespace of the baseline is still there with its members only
/// appended to, and every namespace's slot constant matches its id.
fn compare_namespaces(
    baseline: &Baseline,
    now: &BTreeMap<String, (PathBuf, Vec<Variable>)>,
    spaces: &Namespaces,
    report: &mut LayoutReport,
) {
    let source_of = |contract: &str| {
        now.get(contract)
            .map(|(source, _)| source.clone())
            .unwrap_or_else(|| PathBuf::from(contract.split(':').next().unwrap_or_default()))
    };
    for (contract, id, message) in &spaces.misplaced {
        report.incompatibilities.push(Incompatibility {
            contract: contract.clone(),
            source: source_of(contract),
            variable: format!("erc7201:{id}"),
            message: message.clone(),
        });
    }
    for (contract, old) in &baseline.namespaces {
        let Some(new) = spaces.by_contract.get(contract) else {
            continue; // the contract itself is gone: reported with its variables
        };
        let mut problem = |variable: String, message: String| {
            report.incompatibilities.push(Incompatibility {
                contract: contract.clone(),
                source: source_of(contract),
                variable,
                message,
            })
        };
        for was in old {
            let Some(is) = new.iter().find(|n| n.id == was.id) else {
                problem(
                    format!("erc7201:{}", was.id),
                    format!(
                        "namespace erc7201:{} (declared in {}, slot {}) is gone: the state kept there is lost to the new code",
                        was.id, was.declared_in, was.slot
                    ),
                );
                continue;
            };
            for (i, member) in was.members.iter().enumerate() {
                match is.members.get(i) {
                    None => problem(
                        format!("erc7201:{}.{}", was.id, member.label),
                        format!(
                            "member {} of namespace erc7201:{} is gone",
                            member.label, was.id
                        ),
                    ),
                    Some(m) if m.ty != member.ty => {
                        let inserted = !was.members.iter().any(|o| o.label == m.label);
                        problem(
                            format!(
                                "erc7201:{}.{}",
                                was.id,
                                if inserted { &m.label } else { &member.label }
                            ),
                            if inserted {
                                format!(
                                    "a new member {} was inserted in namespace erc7201:{} before {}: every member from here on moved (append new members after the last one)",
                                    m.label, was.id, member.label
                                )
                            } else {
                                format!(
                                    "member {} of namespace erc7201:{} changed type: {} -> {}",
                                    member.label, was.id, member.ty, m.ty
                                )
                            },
                        );
                        break;
                    }
                    Some(m) if m.label != member.label => report.notes.push(format!(
                        "{contract}: erc7201:{} member {} renamed to {} (same type: harmless)",
                        was.id, member.label, m.label
                    )),
                    Some(_) => {}
                }
            }
            if is.members.len() > was.members.len() {
                let added: Vec<&str> = is.members[was.members.len()..]
                    .iter()
                    .map(|m| m.label.as_str())
                    .collect();
                report.notes.push(format!(
                    "{contract}: erc7201:{} appended {} (compatible)",
                    was.id,
                    added.join(", ")
                ));
            }
        }
        for is in new {
            if !old.iter().any(|o| o.id == is.id) {
                report.notes.push(format!(
                    "{contract}: new namespace erc7201:{} (declared in {}), not in the baseline",
                    is.id, is.declared_in
                ));
            }
        }
    }
}

/// The 1-based line of `source` (under `root`) that declares `variable`, for reports that point at code; 1 when
/// it cannot be found.
pub fn declaration_line(root: &Path, source: &Path, variable: &str) -> usize {
    let Ok(text) = std::fs::read_to_string(root.join(source)) else {
        return 1;
    };
    text.lines()
        .position(|line| {
            let code = line.split("//").next().unwrap_or_default();
            code.trim_end().ends_with(';')
                && code
                    .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .any(|w| w == variable)
                && !code.trim_start().starts_with("function")
        })
        .map_or(1, |i| i + 1)
}

/// `poolguard layout`: compares the suite (or its variant `variant`) with the baseline in the suite's root and
/// prints the result; with `write`, writes the baseline from the suite itself instead. `Ok(true)` when an
/// upgrade would corrupt storage.
pub fn layout_command(
    contracts: &Path,
    variant: Option<&str>,
    write: bool,
) -> anyhow::Result<bool> {
    use anyhow::Context as _;
    let suite = crate::compile::contracts_root(contracts);
    if write && variant.is_some() {
        anyhow::bail!("--write records the suite itself; leave out --variant");
    }
    let root = crate::compile::suite_root(contracts, variant)?;
    let compiler = crate::compile::SuiteCompiler::new(&root);
    compiler
        .ensure_toolchain()
        .with_context(|| format!("preparing {}", root.display()))?;
    let artifacts = compiler.compile()?;
    let asts = compiler
        .all_source_asts()
        .context("reading the syntax trees (solc) for the ERC-7201 namespaces")?;
    if write {
        let path = write_baseline(&suite, &artifacts, &asts)?;
        let baseline = baseline_of(&artifacts, &asts);
        println!(
            "wrote {} ({} upgradeable implementations):",
            path.display(),
            baseline.contracts.len()
        );
        for (contract, vars) in &baseline.contracts {
            let spaces = baseline.namespaces.get(contract).map_or(0, Vec::len);
            println!(
                "  {contract}: {} variables, {spaces} ERC-7201 namespaces",
                vars.len()
            );
        }
        return Ok(false);
    }
    let write_command = crate::compile::poolguard_command(contracts, &["layout", "--write"]);
    let baseline = match read_baseline(&suite) {
        Ok(baseline) => baseline,
        Err(LayoutError::Missing(path)) => anyhow::bail!(
            "{}: no storage-layout baseline (`{write_command}` writes one)",
            path.display()
        ),
        Err(e) => return Err(e.into()),
    };
    let report = compare(&baseline, &artifacts, &asts);
    print!("{}", report.render(&write_command));
    if !report.compatible() {
        println!(
            "an upgrade to this code would corrupt storage; if the change is intended for fresh deployments only, \
             `{write_command}` records the new layout"
        );
    }
    Ok(!report.compatible())
}

#[cfg(test)]
mod slot_tests {
    use super::*;

    #[test]
    fn the_namespace_constants_are_their_erc7201_slots() {
        let word = |b: alloy_primitives::B256| alloy_primitives::U256::from_be_bytes(b.0);
        assert_eq!(
            word(ACCESS_CONTROL_STORAGE),
            erc7201_slot("openzeppelin.storage.AccessControl")
        );
        assert_eq!(
            word(OWNABLE_STORAGE),
            erc7201_slot("openzeppelin.storage.Ownable")
        );
        assert_eq!(
            word(ERC721_STORAGE),
            erc7201_slot("openzeppelin.storage.ERC721")
        );
    }

    #[test]
    fn a_short_string_reads_from_its_slot() {
        let mut bytes = [0u8; 32];
        bytes[..5].copy_from_slice(b"BSPWR");
        bytes[31] = 10;
        let word = alloy_primitives::U256::from_be_bytes(bytes);
        assert_eq!(short_string(word).as_deref(), Some("BSPWR"));
        assert_eq!(
            short_string(alloy_primitives::U256::ZERO).as_deref(),
            Some("")
        );
        assert_eq!(short_string(alloy_primitives::U256::from(81u8)), None);
    }
}
