//! The Solidity copy of the catalog (`contracts/test/utils/PoolguardInvariants.sol`, which the forge invariant
//! suite and the exported Foundry tests check with) must declare the same invariants, in the same order, as
//! [`CATALOG`]: its `catalogIds()` names them, and `NUM_INVARIANTS` sizes its per-invariant arrays.

use std::path::Path;

use poolguard_invariants::CATALOG;

fn solidity_catalog() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../contracts/test/utils/PoolguardInvariants.sol");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The string literals of `catalogIds()`'s returned array, in order.
fn catalog_ids(source: &str) -> Vec<String> {
    let start = source
        .find("function catalogIds()")
        .expect("PoolguardInvariants.sol declares catalogIds()");
    let body = &source[start..];
    let open = body
        .find("return [")
        .expect("catalogIds() returns an array literal")
        + "return [".len();
    let close = open + body[open..].find(']').expect("the array literal ends");
    body[open..close]
        .split(',')
        .map(|item| item.trim())
        .filter(|item| !item.is_empty())
        .map(|item| {
            item.strip_prefix('"')
                .and_then(|item| item.strip_suffix('"'))
                .unwrap_or_else(|| panic!("not a string literal in catalogIds(): {item}"))
                .to_string()
        })
        .collect()
}

/// The value of `uint256 internal constant NAME = VALUE;`.
fn constant(source: &str, name: &str) -> usize {
    let declaration = format!("uint256 internal constant {name} = ");
    let start = source
        .find(&declaration)
        .unwrap_or_else(|| panic!("PoolguardInvariants.sol declares {name}"))
        + declaration.len();
    let end = start + source[start..].find(';').expect("the declaration ends");
    source[start..end]
        .trim()
        .parse()
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn solidity_catalog_declares_the_rust_catalogs_ids_in_order() {
    let source = solidity_catalog();
    let solidity = catalog_ids(&source);
    let rust: Vec<&str> = CATALOG.iter().map(|inv| inv.id).collect();
    assert_eq!(
        solidity, rust,
        "catalogIds() in contracts/test/utils/PoolguardInvariants.sol differs from invariants/src/catalog.rs"
    );
    assert_eq!(constant(&source, "NUM_INVARIANTS"), CATALOG.len());
    // Every fixed-size per-invariant array has room for exactly the catalog.
    let sized = format!("string[{}]", CATALOG.len());
    assert!(
        source.contains(&format!("returns ({sized} memory)")),
        "catalogIds() returns {sized}"
    );
}

#[test]
fn ids_are_read_from_the_array_literal() {
    let source = r#"
        function catalogIds() public pure returns (string[2] memory) {
            return [
                "A-001",
                "B-002"
            ];
        }
        function opName(uint8 op) public pure returns (string memory) { string[1] memory names = ["x"]; }
    "#;
    assert_eq!(catalog_ids(source), ["A-001", "B-002"]);
}
