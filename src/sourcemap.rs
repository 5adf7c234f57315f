//! Source maps: from an instruction of deployed code to the Solidity file and line it was compiled from.
//!
//! Deployed code is matched to its artifact by comparing bytes outside the artifact's immutable ranges (the
//! constructor fills those in, so the deployed hash never equals the artifact's). solc's compressed source map
//! is parsed with foundry-compilers; it has one entry per *instruction*, so pcs are first turned into
//! instruction indexes (PUSH data is skipped).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use alloy_primitives::B256;
use foundry_compilers::artifacts::sourcemap::{parse, SourceElement};

use crate::compile::Artifacts;

/// A place in a Solidity source file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct SourceLocation {
    /// The file, relative to the suite's root (e.g. `src/core/StakingPool.sol`).
    pub path: PathBuf,
    /// 1-based line of the start of the range.
    pub line: u32,
    /// 1-based column (in bytes) of the start of the range.
    pub column: u32,
    /// Byte offset of the range in the file.
    pub offset: u32,
    /// Length of the range in bytes.
    pub length: u32,
}

/// One source file, with the byte offset of each line start.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Relative path.
    pub path: PathBuf,
    /// The text (empty when the file could not be read).
    pub text: String,
    line_starts: Vec<u32>,
}

impl SourceFile {
    fn read(root: &Path, path: &Path) -> Self {
        let text = std::fs::read_to_string(root.join(path)).unwrap_or_default();
        let mut line_starts = vec![0u32];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(u32::try_from(i + 1).unwrap_or(u32::MAX));
            }
        }
        Self {
            path: path.to_path_buf(),
            text,
            line_starts,
        }
    }

    /// Number of lines.
    pub fn line_count(&self) -> u32 {
        u32::try_from(self.line_starts.len()).unwrap_or(u32::MAX)
    }

    /// 1-based (line, column) of byte `offset`.
    pub fn line_col(&self, offset: u32) -> (u32, u32) {
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line.saturating_sub(1)];
        (u32::try_from(line).unwrap_or(u32::MAX), offset - start + 1)
    }

    /// The text of `[offset, offset + length)`, or "" when out of range.
    pub fn snippet(&self, offset: u32, length: u32) -> &str {
        let start = offset as usize;
        let end = start.saturating_add(length as usize).min(self.text.len());
        self.text.get(start..end).unwrap_or("")
    }
}

/// One artifact's runtime code with its per-pc source elements.
#[derive(Debug, Clone)]
struct CodeMap {
    contract: String,
    code: Vec<u8>,
    immutables: Vec<(u32, u32)>,
    /// Per pc: the source element of the instruction starting there (`None` for PUSH data, or no mapping).
    by_pc: Vec<Option<SourceElement>>,
}

impl CodeMap {
    fn matches(&self, code: &[u8]) -> bool {
        if code.len() != self.code.len() {
            return false;
        }
        let mut masked = self.code.clone();
        let mut deployed = code.to_vec();
        for &(start, len) in &self.immutables {
            let range = start as usize..(start as usize + len as usize).min(masked.len());
            masked[range.clone()].fill(0);
            deployed[range].fill(0);
        }
        masked == deployed
    }
}

/// Maps executed instructions of the suite's deployed code to Solidity lines.
#[derive(Debug, Clone)]
pub struct SourceIndex {
    files: HashMap<u32, SourceFile>,
    maps: Vec<CodeMap>,
    identified: HashMap<B256, Option<usize>>,
}

impl SourceIndex {
    /// Indexes every artifact with runtime code and a source map; reads the sources under `root`.
    pub fn new(artifacts: &Artifacts, root: &Path) -> Self {
        let files = artifacts
            .source_paths()
            .into_iter()
            .map(|(id, path)| (id, SourceFile::read(root, &path)))
            .collect();
        let maps = artifacts
            .iter()
            .filter(|a| !a.deployed_bytecode.is_empty())
            .filter_map(|a| {
                let elements = parse(a.deployed_source_map.as_deref()?).ok()?;
                Some(CodeMap {
                    contract: a.name.clone(),
                    code: a.deployed_bytecode.to_vec(),
                    immutables: a.immutable_ranges.clone(),
                    by_pc: elements_by_pc(&a.deployed_bytecode, elements),
                })
            })
            .collect();
        Self {
            files,
            maps,
            identified: HashMap::new(),
        }
    }

    /// Learns which artifact the code with hash `hash` is; `code` is that code. Returns its contract name.
    pub fn identify(&mut self, hash: B256, code: &[u8]) -> Option<&str> {
        let maps = &self.maps;
        let index = *self
            .identified
            .entry(hash)
            .or_insert_with(|| maps.iter().position(|m| m.matches(code)));
        index.map(|i| self.maps[i].contract.as_str())
    }

    /// The contract name of code `hash`, if [`identify`](Self::identify) matched it.
    pub fn contract(&self, hash: B256) -> Option<&str> {
        let index = (*self.identified.get(&hash)?)?;
        Some(self.maps[index].contract.as_str())
    }

    /// The source element of the instruction at `pc` of code `hash` (identified before).
    pub fn element(&self, hash: B256, pc: u32) -> Option<&SourceElement> {
        let index = (*self.identified.get(&hash)?)?;
        self.maps[index].by_pc.get(pc as usize)?.as_ref()
    }

    /// Where the instruction at `pc` of code `hash` comes from.
    pub fn locate(&self, hash: B256, pc: u32) -> Option<SourceLocation> {
        let element = self.element(hash, pc)?;
        let file = self.files.get(&element.index()?)?;
        let (line, column) = file.line_col(element.offset());
        Some(SourceLocation {
            path: file.path.clone(),
            line,
            column,
            offset: element.offset(),
            length: element.length(),
        })
    }

    /// The source file with solc id `id`.
    pub fn file(&self, id: u32) -> Option<&SourceFile> {
        self.files.get(&id)
    }

    /// Every indexed source file.
    pub fn files(&self) -> impl Iterator<Item = &SourceFile> {
        self.files.values()
    }

    /// Per pc of code `hash` (identified before): the file id and 1-based line of the instruction there.
    pub fn lines_by_pc(&self, hash: B256) -> Vec<Option<(u32, u32)>> {
        let Some(Some(index)) = self.identified.get(&hash) else {
            return Vec::new();
        };
        self.maps[*index]
            .by_pc
            .iter()
            .map(|e| {
                let e = e.as_ref()?;
                let file = self.files.get(&e.index()?)?;
                Some((e.index()?, file.line_col(e.offset()).0))
            })
            .collect()
    }
}

/// Spreads one element per instruction over the pcs of `code`.
fn elements_by_pc(code: &[u8], elements: Vec<SourceElement>) -> Vec<Option<SourceElement>> {
    let mut by_pc = vec![None; code.len()];
    let mut elements = elements.into_iter();
    let mut pc = 0usize;
    while pc < code.len() {
        let Some(element) = elements.next() else {
            break;
        };
        by_pc[pc] = Some(element);
        let op = code[pc];
        // PUSH1..PUSH32 carry 1..32 bytes of data.
        let data = if (0x60..=0x7f).contains(&op) {
            usize::from(op - 0x5f)
        } else {
            0
        };
        pc += 1 + data;
    }
    by_pc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pcs_skip_push_data() {
        // PUSH2 0x0102, PUSH1 0x03, ADD, STOP
        let code = [0x61, 0x01, 0x02, 0x60, 0x03, 0x01, 0x00];
        let elements = parse("1:2:0:-;5:1;7:1;9:1").unwrap();
        let by_pc = elements_by_pc(&code, elements);
        let offsets: Vec<Option<u32>> = by_pc
            .iter()
            .map(|e| e.as_ref().map(|e| e.offset()))
            .collect();
        assert_eq!(
            offsets,
            vec![Some(1), None, None, Some(5), None, Some(7), Some(9)]
        );
    }

    #[test]
    fn lines_and_columns() {
        let file = SourceFile {
            path: "a.sol".into(),
            text: "ab\ncd\n\nef".into(),
            line_starts: vec![0, 3, 6, 7],
        };
        assert_eq!(file.line_col(0), (1, 1));
        assert_eq!(file.line_col(4), (2, 2));
        assert_eq!(file.line_col(7), (4, 1));
        assert_eq!(file.snippet(3, 2), "cd");
    }
}
