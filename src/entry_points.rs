//! The world's entry points: every state-changing function (`nonpayable`, `payable`) and `receive()` of every
//! contract deployed in the world, read from the compiled ABIs, never from a hand-written list. A function
//! added to a `.sol` file is an entry point on the next run.

use alloy_json_abi::{Function, StateMutability};
use alloy_primitives::Address;

use crate::compile::ContractArtifact;
use crate::policy::EntryPolicy;

/// One state-changing entry point of one deployed contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryPoint {
    /// The contract's address.
    pub address: Address,
    /// Its readable label (`pool0.StakingPool`, `WithdrawalVault`, `StakingPool (implementation)`).
    pub label: String,
    /// The compiled contract's name (`StakingPool`): entry points are counted per contract and function.
    pub contract: String,
    /// Whether the contract is one of the suite's own (`contracts/src/core`), not a chain stand-in.
    pub core: bool,
    /// Whether the contract's source is under `contracts/src` (the suite and its chain stand-ins).
    pub in_src: bool,
    /// Why the policy declares it unreachable in the default world, if it does.
    pub unreachable: Option<String>,
    /// `submit(address)`, or `receive()`.
    pub signature: String,
    /// The function; `None` for `receive()`.
    pub function: Option<Function>,
    /// The function's selector (kept: hashing the signature at every lookup cost a tenth of a campaign).
    pub selector: Option<[u8; 4]>,
    /// Whether it accepts BERA.
    pub payable: bool,
    /// Why anyone may call it (from the policy); `None`: it is privileged.
    pub permissionless: Option<String>,
}

impl EntryPoint {
    /// `Contract.signature`, the key of per-function statistics and of the permissionless list.
    pub fn key(&self) -> String {
        format!("{}.{}", self.contract, self.signature)
    }
}

/// The entry points of `artifact` deployed at `address` under `label`, in a stable order (signature order, then
/// `receive()`).
pub fn of_contract(
    address: Address,
    label: &str,
    artifact: &ContractArtifact,
    policy: &EntryPolicy,
) -> Vec<EntryPoint> {
    let core = artifact
        .source_path
        .components()
        .any(|c| c.as_os_str() == "core");
    let in_src = artifact.source_path.starts_with("src");
    let mut functions: Vec<&Function> = artifact
        .abi
        .functions()
        .filter(|f| {
            matches!(
                f.state_mutability,
                StateMutability::NonPayable | StateMutability::Payable
            )
        })
        .collect();
    functions.sort_by_key(|f| f.signature());
    let mut out: Vec<EntryPoint> = functions
        .into_iter()
        .map(|f| EntryPoint {
            address,
            label: label.to_string(),
            contract: artifact.name.clone(),
            core,
            in_src,
            unreachable: None,
            signature: f.signature(),
            payable: f.state_mutability == StateMutability::Payable,
            function: Some(f.clone()),
            selector: Some(f.selector().0),
            permissionless: None,
        })
        .collect();
    if artifact.abi.receive.is_some() {
        out.push(EntryPoint {
            address,
            label: label.to_string(),
            contract: artifact.name.clone(),
            core,
            in_src,
            unreachable: None,
            signature: "receive()".to_string(),
            function: None,
            selector: None,
            payable: true,
            permissionless: None,
        });
    }
    for entry in &mut out {
        entry.permissionless = policy.permissionless(&entry.key()).map(str::to_string);
        entry.unreachable = policy.unreachable.get(&entry.key()).cloned();
    }
    out
}

/// The policy's keys that name no entry point of the world (a stale or misspelt entry misleads whoever
/// reads the policy).
pub fn unknown_policy_keys(policy: &EntryPolicy, entries: &[EntryPoint]) -> Vec<String> {
    policy
        .permissionless
        .keys()
        .chain(policy.unreachable.keys())
        .filter(|key| !entries.iter().any(|e| e.key() == **key))
        .cloned()
        .collect()
}
