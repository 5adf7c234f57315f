//! Calls derived from the compiled ABIs: an entry point of the world and argument seeds become calldata. Each
//! parameter reads seeds in order, by its type, world-aware: an address picks from the world's address book
//! (actors, every deployed contract, zero, `address(1)`), `bytes` a pool pubkey, `bytes32` a role id (small seeds) or the raw
//! word, an id parameter (`requestId`, `tokenId`) an existing withdrawal request (small seeds), other integers
//! the word truncated to their width, arrays a short length and then their elements.

use alloy_dyn_abi::{DynSolType, DynSolValue, JsonAbiExt, Specifier};
use alloy_primitives::{keccak256, Address, Bytes, FixedBytes, I256, U256};

use super::{Needs, Role};
use crate::entry_points::EntryPoint;
use crate::world::{OnChain, Views, World};

/// Who sends an ABI call of `point` (the one rule, used by planning and by generation): anyone for an entry
/// point declared permissionless; otherwise anyone but governance and the system address, since those may
/// legitimately pass any argument (an upgrade to anything, a chain event that never happens), which the semantic
/// ops model with realistic arguments instead. Outsiders send most of them (the access-control oracle's lane);
/// role holders and stakers the rest, so that an insider acting outside its lane, or inside it with arguments
/// no semantic op draws, is tried too.
pub fn entry_needs(point: &EntryPoint) -> Needs {
    if point.permissionless.is_some() {
        Needs::Anyone
    } else {
        Needs::NotGovernance
    }
}

/// Role ids a small `bytes32` seed picks from: every SmartOperator role, the oracle's feeder, and a few
/// conventional names other contracts may use.
fn role_ids() -> Vec<FixedBytes<32>> {
    let mut ids: Vec<FixedBytes<32>> = Role::ALL.iter().map(|r| r.id()).collect();
    for name in ["FEEDER_ROLE", "PAUSER_ROLE", "UPGRADER_ROLE", "MINTER_ROLE"] {
        ids.push(keccak256(name));
    }
    ids
}

struct Seeds<'a> {
    words: &'a [U256],
    next: usize,
    caller: Address,
    /// The withdrawal requests that exist now (ids 1..=count).
    requests: u64,
    /// Those the caller holds, read only for a function with an id parameter.
    owned: Vec<u64>,
}

/// Whether `point`'s function takes an id (a parameter [`names_an_id`]): what a holder of a withdrawal request
/// may call about it (approve it, finalize it, …).
pub fn takes_an_id(point: &EntryPoint) -> bool {
    point
        .function
        .as_ref()
        .is_some_and(|f| f.inputs.iter().any(|p| names_an_id(&p.name)))
}

/// Whether a parameter named `name` holds ids of something numbered from 1 (`requestId`, `tokenId`, `requestIds`).
fn names_an_id(name: &str) -> bool {
    name == "id"
        || name == "ids"
        || name.ends_with("Id")
        || name.ends_with("Ids")
        || name.ends_with("_id")
}

impl Seeds<'_> {
    fn word(&mut self) -> U256 {
        let w = self.words.get(self.next).copied().unwrap_or_default();
        self.next += 1;
        w
    }
}

fn small(w: U256) -> Option<usize> {
    (w < U256::from(1u64 << 16)).then(|| w.to::<usize>())
}

fn value_of(ty: &DynSolType, name: &str, seeds: &mut Seeds<'_>, world: &World) -> DynSolValue {
    match ty {
        // An id parameter with a small seed names a request that exists now (the vault's ERC-721 ids are its
        // requests): an even seed one the caller holds, when it holds any (approving or transferring it can then
        // succeed), an odd seed any of them (finalizing anyone's can).
        DynSolType::Uint(bits) if names_an_id(name) && seeds.requests > 0 => {
            let w = seeds.word();
            let id = match small(w) {
                Some(i) if i < 48 && i % 2 == 0 && !seeds.owned.is_empty() => {
                    seeds.owned[(i / 2) % seeds.owned.len()]
                }
                Some(i) if i < 48 => 1 + (i / 2) as u64 % seeds.requests,
                _ => return DynSolValue::Uint(w, *bits),
            };
            DynSolValue::Uint(U256::from(id), *bits)
        }
        // Seed 0 is the caller itself (`renounceRole(role, self)`, `transfer(self, …)`); the others pick from
        // the address book.
        DynSolType::Address => {
            let w = seeds.word();
            let book = &world.address_book;
            DynSolValue::Address(if w.is_zero() {
                seeds.caller
            } else {
                book[((w - U256::from(1u8)) % U256::from(book.len())).to::<usize>()]
            })
        }
        DynSolType::Bool => DynSolValue::Bool(seeds.word().bit(0)),
        DynSolType::Uint(bits) => {
            let w = seeds.word();
            let masked = if *bits >= 256 {
                w
            } else {
                w & ((U256::from(1u8) << *bits) - U256::from(1u8))
            };
            DynSolValue::Uint(masked, *bits)
        }
        DynSolType::Int(bits) => {
            let w = seeds.word();
            let masked = if *bits >= 256 {
                w
            } else {
                w & ((U256::from(1u8) << (*bits - 1)) - U256::from(1u8))
            };
            DynSolValue::Int(I256::from_raw(masked), *bits)
        }
        DynSolType::FixedBytes(size) => {
            let w = seeds.word();
            let ids = role_ids();
            let word = match small(w) {
                Some(i) if i < 64 => ids[i % ids.len()],
                _ => FixedBytes::from(w.to_be_bytes::<32>()),
            };
            let mut out = [0u8; 32];
            out[..*size].copy_from_slice(&word[..*size]);
            DynSolValue::FixedBytes(FixedBytes::from(out), *size)
        }
        DynSolType::Bytes => {
            let w = seeds.word();
            match small(w) {
                Some(i) if !world.pools.is_empty() => {
                    DynSolValue::Bytes(world.pools[i % world.pools.len()].pubkey.to_vec())
                }
                _ => DynSolValue::Bytes(w.to_be_bytes::<32>().to_vec()),
            }
        }
        DynSolType::String => {
            let w = seeds.word();
            DynSolValue::String(if w.is_zero() {
                String::new()
            } else {
                format!("{w}")
            })
        }
        DynSolType::Array(inner) => {
            let len = (seeds.word() % U256::from(4u8)).to::<usize>();
            DynSolValue::Array(
                (0..len)
                    .map(|_| value_of(inner, name, seeds, world))
                    .collect(),
            )
        }
        DynSolType::FixedArray(inner, len) => DynSolValue::FixedArray(
            (0..*len)
                .map(|_| value_of(inner, name, seeds, world))
                .collect(),
        ),
        DynSolType::Tuple(types) => DynSolValue::Tuple(
            types
                .iter()
                .map(|t| value_of(t, "", seeds, world))
                .collect(),
        ),
        DynSolType::Function => {
            DynSolValue::Function(alloy_primitives::Function::from_slice(&[0u8; 24]))
        }
        #[allow(unreachable_patterns)]
        _ => DynSolValue::Bool(false),
    }
}

/// The entry point `entry` names (modulo their number) and the arguments `seeds` give it.
fn resolve<'w>(
    world: &'w World,
    views: &dyn Views,
    entry: u16,
    seeds: &[U256],
    caller: Address,
) -> Option<(&'w EntryPoint, Vec<DynSolValue>)> {
    if world.entry_points.is_empty() {
        return None;
    }
    let point = &world.entry_points[entry as usize % world.entry_points.len()];
    let mut reader = Seeds {
        words: seeds,
        next: 0,
        caller,
        requests: world.request_count(views),
        owned: Vec::new(),
    };
    if takes_an_id(point) {
        let vault = world.contracts.withdrawal_vault;
        reader.owned = (1..=reader.requests)
            .filter(|id| {
                world
                    .view_in(
                        views,
                        vault,
                        &crate::bindings::IERC721::ownerOfCall {
                            tokenId: U256::from(*id),
                        },
                    )
                    .is_ok_and(|owner| owner == caller)
            })
            .collect();
    }
    let values = match &point.function {
        Some(f) => f
            .inputs
            .iter()
            .map(|p| {
                p.resolve()
                    .map(|ty| value_of(&ty, &p.name, &mut reader, world))
                    .unwrap_or(DynSolValue::Bool(false))
            })
            .collect(),
        None => Vec::new(),
    };
    Some((point, values))
}

/// The entry point and the calldata of an ABI call (empty for `receive()`), with the views it reads answered by
/// `views`.
pub fn calldata<'w>(
    world: &'w World,
    views: &dyn Views,
    entry: u16,
    seeds: &[U256],
    caller: Address,
) -> Option<(&'w EntryPoint, Bytes)> {
    let (point, values) = resolve(world, views, entry, seeds, caller)?;
    let data = match (&point.function, point.selector) {
        (Some(f), Some(selector)) => {
            // The kept selector: `abi_encode_input` would hash the signature again at every call.
            let mut data = selector.to_vec();
            data.extend(f.abi_encode_input_raw(&values).ok()?);
            data.into()
        }
        _ => Bytes::new(),
    };
    Some((point, data))
}

/// A decoded value as a trace shows it: accounts by name, pool pubkeys as `poolN.pubkey`.
pub fn show(value: &DynSolValue, world: &World) -> String {
    match value {
        DynSolValue::Address(a) => world.label(*a),
        DynSolValue::Bool(b) => b.to_string(),
        DynSolValue::Uint(u, _) => u.to_string(),
        DynSolValue::Int(i, _) => i.to_string(),
        DynSolValue::FixedBytes(w, size) => {
            format!("0x{}", alloy_primitives::hex::encode(&w[..*size]))
        }
        DynSolValue::Bytes(b) => match world
            .pools
            .iter()
            .find(|p| p.pubkey.as_ref() == b.as_slice())
        {
            Some(pool) => format!("pool{}.pubkey", pool.index),
            None => format!("0x{}", alloy_primitives::hex::encode(b)),
        },
        DynSolValue::String(s) => format!("{s:?}"),
        DynSolValue::Array(items) | DynSolValue::FixedArray(items) => format!(
            "[{}]",
            items
                .iter()
                .map(|v| show(v, world))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        DynSolValue::Tuple(items) => format!(
            "({})",
            items
                .iter()
                .map(|v| show(v, world))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => format!("{other:?}"),
    }
}

/// `label.name(arguments)`, with ` value=…` for a payable entry point.
pub fn describe(world: &World, entry: u16, seeds: &[U256], value: U256, caller: Address) -> String {
    let Some((point, values)) = resolve(world, &OnChain, entry, seeds, caller) else {
        return "abi call (no entry point)".to_string();
    };
    let name = point
        .function
        .as_ref()
        .map_or("receive", |f| f.name.as_str());
    let args: Vec<String> = values.iter().map(|v| show(v, world)).collect();
    let value = if point.payable {
        format!(" value={value}")
    } else {
        String::new()
    };
    format!("{}.{name}({}){value}", point.label, args.join(", "))
}

/// The entry point `entry` names (modulo their number).
pub fn entry_point(world: &World, entry: u16) -> Option<&EntryPoint> {
    (!world.entry_points.is_empty())
        .then(|| &world.entry_points[entry as usize % world.entry_points.len()])
}

/// The entry point and the calldata of an exact call: the selector, then `words` as they are (empty for
/// `receive()`).
pub fn exact_calldata<'w>(
    world: &'w World,
    entry: u16,
    words: &[U256],
) -> Option<(&'w EntryPoint, Bytes)> {
    let point = entry_point(world, entry)?;
    let Some(selector) = point.selector else {
        return Some((point, Bytes::new()));
    };
    let mut data = selector.to_vec();
    for word in words {
        data.extend_from_slice(&word.to_be_bytes::<32>());
    }
    Some((point, data.into()))
}

/// The encoded arguments of `values` for `function`, as words (what [`exact_calldata`] sends back).
pub fn encode_words(
    function: &alloy_json_abi::Function,
    values: &[DynSolValue],
) -> Result<Vec<U256>, String> {
    let data = function
        .abi_encode_input_raw(values)
        .map_err(|e| e.to_string())?;
    Ok(data
        .chunks(32)
        .map(|chunk| {
            let mut word = [0u8; 32];
            word[..chunk.len()].copy_from_slice(chunk);
            U256::from_be_bytes(word)
        })
        .collect())
}

/// `label.name(arguments)` of an exact call, with ` value=…` for a payable entry point; arguments that do not
/// decode show as raw words.
pub fn describe_exact(world: &World, entry: u16, words: &[U256], value: U256) -> String {
    let Some((point, data)) = exact_calldata(world, entry, words) else {
        return "call (no entry point)".to_string();
    };
    let (name, args) = match &point.function {
        Some(f) => (
            f.name.as_str(),
            match f.abi_decode_input(&data[4..]) {
                Ok(values) => values
                    .iter()
                    .map(|v| show(v, world))
                    .collect::<Vec<_>>()
                    .join(", "),
                Err(_) => format!("undecodable words {words:?}"),
            },
        ),
        None => ("receive", String::new()),
    };
    let value = if point.payable {
        format!(" value={value}")
    } else {
        String::new()
    };
    format!("{}.{name}({args}){value}", point.label)
}
