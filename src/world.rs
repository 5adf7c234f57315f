//! The world: the compiled suite deployed into an in-process [`Chain`], with named actors, K pools created
//! and activated through the factory, and a snapshot to reset to before each sequence.
//!
//! Deployment mirrors production: chain stand-ins first, then implementations, the factory, WithdrawalVault
//! and AccountingOracle behind UUPS (ERC-1967) proxies, then each pool through
//! `deployStakingPoolContracts`, an oracle report of its first deposit, and `activateStakingPool`.

use std::collections::BTreeMap;
use std::path::Path;

use alloy_primitives::{keccak256, Address, Bytes, FixedBytes, U256};
use alloy_sol_types::{SolCall, SolValue};

use crate::bindings::{
    ctorAddressCall, ctorProxyCall, ctorSystemAndRequestsCall, ctorSystemCall, IAccessControl,
    IAccountingOracle, IBeaconDeposit, IContractActor, IDeploy, ISharedInit, ISmartOperator,
    IStakingPool, IStakingPoolContractsFactory, IWithdrawalVault,
};
use crate::compile::{Artifacts, CompileError};
use crate::entry_points::EntryPoint;
use crate::evm::{CallOutcome, Chain, EvmError};
use crate::revert::RevertDecoder;
use poolguard_invariants::observation::CoreAddresses;
use poolguard_invariants::{Role, RoleOp};

/// Where a plan's views are answered: the chain itself ([`OnChain`]), or a cache that answers exactly as the chain
/// would (the engine passes the observe stage's, which has most of them from the last observation).
pub trait Views {
    /// `to.call(data)` from the zero address on `chain`, as [`Chain::view`] answers it.
    fn view(&self, chain: &Chain, to: Address, data: Bytes) -> Result<CallOutcome, EvmError>;
}

/// Every view runs on the chain.
#[derive(Debug, Clone, Copy, Default)]
pub struct OnChain;

impl Views for OnChain {
    fn view(&self, chain: &Chain, to: Address, data: Bytes) -> Result<CallOutcome, EvmError> {
        chain.view(Address::ZERO, to, data)
    }
}

/// One BERA, in wei.
pub const BERA: U256 = U256::from_limbs([1_000_000_000_000_000_000, 0, 0, 0]);

/// What each staker and contract actor starts with: twice a pool's capacity (SPEC's MAX_EFFECTIVE_BALANCE), so that
/// one holder can fill a pool and overflow it in a single deposit (the refund path, the capacity checks) and not only
/// many holders together.
pub fn staker_bera() -> U256 {
    poolguard_invariants::formulas::MAX_EFFECTIVE_BALANCE * U256::from(2u8)
}
/// FIRST_DEPOSIT_AMOUNT of the spec.
pub const FIRST_DEPOSIT_AMOUNT: U256 = U256::from_limbs([1_864_712_049_423_024_128, 542, 0, 0]);
/// The block the world starts at after deployment.
pub const START_BLOCK: u64 = 1_000;
/// Blocks between a withdrawal request and its finalization.
pub const WITHDRAWAL_DELAY: u64 = 129_600;

/// Errors of building or driving the world.
#[derive(Debug, thiserror::Error)]
pub enum WorldError {
    /// A contract the world deploys is missing from the artifacts.
    #[error(transparent)]
    Compile(#[from] CompileError),
    /// revm rejected a transaction (e.g. the caller cannot fund its value).
    #[error(transparent)]
    Evm(#[from] EvmError),
    /// The entry-point policy does not fit the deployed contracts.
    #[error("{0}")]
    Policy(String),
    /// A call the world expected to succeed reverted.
    #[error("{what} reverted: {reason}")]
    Reverted {
        /// What was being done.
        what: String,
        /// The decoded revert reason.
        reason: String,
    },
    /// A state variable the harness reads from storage is not in the compiled layout.
    #[error("{contract} has no state variable `{variable}` in its storage layout; poolguard reads it from storage ({why})")]
    MissingVariable {
        /// The contract.
        contract: String,
        /// The variable.
        variable: String,
        /// What it is read for.
        why: &'static str,
    },
    /// Return data did not decode as the ABI says.
    #[error("could not decode the return data of {what}: {message}")]
    Decode {
        /// What was being done.
        what: String,
        /// The decoder's message.
        message: String,
    },
}

/// How many pools and stakers to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorldConfig {
    /// Pools created through the factory and activated (K).
    pub pools: usize,
    /// Named stakers, each funded with BERA.
    pub stakers: usize,
}

impl Default for WorldConfig {
    fn default() -> Self {
        Self {
            pools: 2,
            stakers: 3,
        }
    }
}

/// The per-pool role holders.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PoolRoles {
    /// VALIDATOR_ADMIN_ROLE: the validator.
    pub validator_admin: Address,
    /// COMMISSION_MANAGER_ROLE.
    pub commission_manager: Address,
    /// PROTOCOL_FEE_MANAGER_ROLE.
    pub protocol_fee_manager: Address,
    /// REWARDS_ALLOCATION_MANAGER_ROLE.
    pub rewards_allocation_manager: Address,
    /// INCENTIVE_COLLECTOR_MANAGER_ROLE.
    pub incentive_collector_manager: Address,
    /// BGT_MANAGER_ROLE.
    pub bgt_manager: Address,
    /// Receives the dead shares and commission shares.
    pub default_shares_recipient: Address,
}

/// One deployed pool.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Pool {
    /// Index in [`World::pools`].
    pub index: usize,
    /// The validator pubkey (48 bytes).
    pub pubkey: Bytes,
    /// Withdrawal credentials (0x01 ++ 11 zero bytes ++ WithdrawalVault).
    pub credentials: Bytes,
    /// StakingPool (beacon proxy).
    pub staking_pool: Address,
    /// SmartOperator (beacon proxy).
    pub smart_operator: Address,
    /// StakingRewardsVault (beacon proxy).
    pub rewards_vault: Address,
    /// IncentiveCollector (beacon proxy).
    pub incentive_collector: Address,
    /// Role holders.
    pub roles: PoolRoles,
}

impl Pool {
    /// The pool's four beacon proxies: StakingPool, SmartOperator, StakingRewardsVault, IncentiveCollector.
    pub fn proxies(&self) -> [Address; 4] {
        [
            self.staking_pool,
            self.smart_operator,
            self.rewards_vault,
            self.incentive_collector,
        ]
    }
}

/// The pool a campaign may deploy and activate itself (`DeployPool`, `OracleReportNewPool`, `ActivatePool`): a fresh
/// validator pubkey whose contracts do not exist at set-up. The world's own pools are deployed at set-up, so
/// without it no campaign would ever run the factory's deployment and activation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NewPool {
    /// The validator pubkey (48 bytes): [`pool_pubkey`] of the index after the world's last pool.
    pub pubkey: Bytes,
    /// Withdrawal credentials SPEC requires (0x01 ++ 11 zero bytes ++ WithdrawalVault).
    pub credentials: Bytes,
    /// `predictStakingPoolContractsAddresses(pubkey)`, read at set-up.
    pub predicted: CoreAddresses,
}

/// A queued boost or boost drop at the BGT stand-in from the word of its slot ([`World::bgt_queue_slot`]): the
/// block it was queued at (the low 32 bits) and the amount (the rest).
pub fn bgt_queue_entry(word: U256) -> (u64, U256) {
    let block = u64::try_from(word & U256::from(u32::MAX)).unwrap_or_default();
    (block, word >> 32usize)
}

/// The factory's `CoreContracts` (`getCoreContracts`, `predictStakingPoolContractsAddresses`) as the invariants name
/// them.
pub fn core_addresses(core: &IStakingPoolContractsFactory::CoreContracts) -> CoreAddresses {
    CoreAddresses {
        smart_operator: core.smartOperator,
        staking_pool: core.stakingPool,
        rewards_vault: core.stakingRewardsVault,
        incentive_collector: core.incentiveCollector,
    }
}

/// SPEC's withdrawal credentials for every pool's validator: 0x01 ++ 11 zero bytes ++ the WithdrawalVault.
pub fn withdrawal_credentials(withdrawal_vault: Address) -> Bytes {
    let mut credentials = vec![0x01u8];
    credentials.extend_from_slice(&[0u8; 11]);
    credentials.extend_from_slice(withdrawal_vault.as_slice());
    credentials.into()
}

/// Addresses of the shared contracts and implementations.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Contracts {
    /// BeaconDeposit (consensus-layer stand-in).
    pub beacon_deposit: Address,
    /// EIP-7002-style predeploy.
    pub withdrawal_requests: Address,
    /// BGT.
    pub bgt: Address,
    /// BeraChef.
    pub bera_chef: Address,
    /// WBERA.
    pub wbera: Address,
    /// An incentive token.
    pub incentive_token: Address,
    /// StakingPoolContractsFactory (UUPS proxy).
    pub factory: Address,
    /// WithdrawalVault (UUPS proxy).
    pub withdrawal_vault: Address,
    /// AccountingOracle (UUPS proxy).
    pub accounting_oracle: Address,
    /// Implementation of StakingPool.
    pub staking_pool_impl: Address,
    /// Implementation of SmartOperator.
    pub smart_operator_impl: Address,
    /// Implementation of StakingRewardsVault.
    pub rewards_vault_impl: Address,
    /// Implementation of IncentiveCollector.
    pub incentive_collector_impl: Address,
    /// Implementation of the factory.
    pub factory_impl: Address,
    /// Implementation of the WithdrawalVault.
    pub withdrawal_vault_impl: Address,
    /// Implementation of the AccountingOracle.
    pub accounting_oracle_impl: Address,
    /// Harness-only `ForceSender`: delivers BERA without calling the recipient (not part of the suite).
    pub force_sender: Address,
    /// Fresh copies of the upgradeable implementations, deployed by the harness: what the `Upgrade` op installs.
    pub upgrade_copies: UpgradeCopies,
}

/// Slots of the suite's own state variables that observation reads from storage rather than through a view (the
/// view is code under test), located by the compiler's storage layouts of the artifacts the world was deployed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StorageSlots {
    /// WithdrawalVault `_funds` (`mapping(bytes32 => uint256)`, keyed by the pubkey's hash): each pool's BERA on
    /// the vault's books.
    pub vault_funds: U256,
    /// WithdrawalVault `_attributedWithdrawn` (same key): the consensus-layer payouts already booked into `_funds`.
    pub vault_attributed_withdrawn: U256,
    /// OpenZeppelin `UpgradeableBeacon._implementation`: what every beacon proxy of one kind runs.
    pub beacon_implementation: U256,
    /// BGT stand-in `_boostQueue` (`mapping(address => mapping(bytes32 => QueuedBoost))`, `QueuedBoost` packing
    /// `uint32 blockNumberLast` below `uint128 balance`): a boost queued for a validator, activatable after a delay.
    pub bgt_boost_queue: U256,
    /// BGT stand-in `_dropQueue` (same shape): a boost drop queued for a validator.
    pub bgt_drop_queue: U256,
}

impl StorageSlots {
    fn locate(artifacts: &Artifacts) -> Result<Self, WorldError> {
        let slot = |contract: &str, variable: &str, why: &'static str| {
            artifacts
                .get(contract)
                .ok()
                .and_then(|a| crate::layout::slot_of(a, variable))
                .ok_or_else(|| WorldError::MissingVariable {
                    contract: contract.to_owned(),
                    variable: variable.to_owned(),
                    why,
                })
        };
        Ok(Self {
            vault_funds: slot(
                "WithdrawalVault",
                "_funds",
                "ACCT-003 checks poolFunds against it",
            )?,
            vault_attributed_withdrawn: slot(
                "WithdrawalVault",
                "_attributedWithdrawn",
                "ACCT-003 checks poolFunds against it",
            )?,
            beacon_implementation: slot(
                "UpgradeableBeacon",
                "_implementation",
                "ACCESS-005 detects upgrades from it",
            )?,
            bgt_boost_queue: slot(
                "BGT",
                "_boostQueue",
                "WaitUntilDue rolls to a queued boost's activation",
            )?,
            bgt_drop_queue: slot(
                "BGT",
                "_dropQueue",
                "WaitUntilDue rolls to a queued drop's end",
            )?,
        })
    }
}

/// A second deployment of each implementation an upgrade can install (same code, another address): upgrading a
/// proxy or beacon to one must leave every invariant holding.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct UpgradeCopies {
    /// Of StakingPool (for its beacon).
    pub staking_pool: Address,
    /// Of SmartOperator (for its beacon).
    pub smart_operator: Address,
    /// Of the factory.
    pub factory: Address,
    /// Of the WithdrawalVault.
    pub withdrawal_vault: Address,
    /// Of the AccountingOracle.
    pub accounting_oracle: Address,
}

/// `ContractActorNoReceiver.Hook.Revert` (`contracts/src/harness/ContractActor.sol`): the hook mode whose callbacks
/// refuse BERA, which the second contract actor starts with.
pub const HOOK_REVERT: u8 = 1;

/// Named accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actors {
    /// Owner of the factory, vault and oracle; DEFAULT_ADMIN_ROLE of every SmartOperator.
    pub governance: Address,
    /// The chain itself: consensus layer, BGT minting, incentive minting.
    pub system: Address,
    /// FEEDER_ROLE of the oracle.
    pub feeder: Address,
    /// Receives protocol-fee shares.
    pub protocol_fee_recipient: Address,
    /// Holds BERA but no role and no shares.
    pub attacker: Address,
    /// Stakers.
    pub stakers: Vec<Address>,
    /// Contract actors (harness-only `ContractActor`s): stakers and attackers whose calls go through the
    /// contract, with programmable callbacks. The first accepts ERC-721 tokens and starts accepting BERA; the
    /// second has no ERC-721 receiver and starts refusing BERA ([`HOOK_REVERT`]).
    pub contracts: Vec<Address>,
    /// The account that sends a contract actor's transactions (its `exec`); not an actor itself.
    pub contract_origin: Address,
    names: BTreeMap<Address, String>,
    /// `names`' keys, kept as a slice: every step indexes it (an action's caller, its arguments). The
    /// externally owned accounts in ascending address order, then the contract actors in deployment order
    /// (so that adding contract actors moved no earlier index).
    sorted: Vec<Address>,
}

impl Actors {
    /// The name of `address`, or its checksummed hex.
    pub fn name(&self, address: Address) -> String {
        match self.names.get(&address) {
            Some(name) => name.clone(),
            None if address == self.contract_origin => "contract_origin".to_string(),
            None => address.to_checksum(None),
        }
    }

    /// Every named account, in a stable order (ascending address).
    pub fn all(&self) -> &[Address] {
        &self.sorted
    }

    /// `(address, name)` pairs.
    pub fn named(&self) -> impl Iterator<Item = (Address, &str)> {
        self.names.iter().map(|(a, n)| (*a, n.as_str()))
    }

    /// The actor a one-byte index names (taken modulo the number of actors), as actions and their fields use it.
    pub fn at(&self, index: u8) -> Address {
        self.sorted[index as usize % self.sorted.len()]
    }

    /// The one-byte index [`Actors::at`] takes for the actor at `address`, if it is one.
    pub fn index_of(&self, address: Address) -> Option<u8> {
        self.sorted
            .iter()
            .position(|a| *a == address)
            .map(|i| i as u8)
    }

    /// Whether `address` is a contract actor, whose calls go through its `exec`.
    pub fn is_contract(&self, address: Address) -> bool {
        self.contracts.contains(&address)
    }

    /// Whether `address` is one of [`Actors::outsiders`].
    pub fn is_outsider(&self, address: Address) -> bool {
        address == self.attacker || self.is_contract(address)
    }

    /// What kind of account `address` is, coarsely: who did something matters to exploration as much as what
    /// was done (a contract actor that holds a request is a state an EOA staker's request does not reach).
    pub fn class(&self, address: Address) -> AccountClass {
        if let Some(i) = self.contracts.iter().position(|c| *c == address) {
            AccountClass::Contract(i as u8)
        } else if address == self.attacker {
            AccountClass::Attacker
        } else if self.stakers.contains(&address) {
            AccountClass::Staker
        } else if self.names.contains_key(&address) {
            AccountClass::Privileged
        } else {
            AccountClass::Other
        }
    }

    /// The accounts that hold no privilege of the suite: the attacker and the contract actors.
    pub fn outsiders(&self) -> Vec<Address> {
        let mut out = vec![self.attacker];
        out.extend(&self.contracts);
        out
    }

    fn add(&mut self, name: &str) -> Address {
        debug_assert!(
            self.contracts.is_empty(),
            "externally owned actors are added before contract actors"
        );
        let address = actor_address(name);
        if self.names.insert(address, name.to_string()).is_none() {
            let at = self.sorted.partition_point(|a| *a < address);
            self.sorted.insert(at, address);
        }
        address
    }

    fn add_contract(&mut self, name: &str, address: Address) {
        self.names.insert(address, name.to_string());
        self.sorted.push(address);
        self.contracts.push(address);
    }
}

/// A coarse class of account ([`Actors::class`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AccountClass {
    /// An externally owned staker.
    Staker,
    /// The attacker (an externally owned outsider).
    Attacker,
    /// The contract actor at this index of [`Actors::contracts`].
    Contract(u8),
    /// Any other actor: governance, the feeder, role holders, fee recipients.
    Privileged,
    /// Not an actor: a suite contract, the system account, zero.
    Other,
}

/// Deterministic address of the actor called `name`.
pub fn actor_address(name: &str) -> Address {
    Address::from_word(keccak256(format!("poolguard.actor.{name}")))
}

/// Deterministic 48-byte pubkey of pool `index`.
pub fn pool_pubkey(index: usize) -> Bytes {
    let a = keccak256(format!("poolguard.pubkey.{index}.a"));
    let b = keccak256(format!("poolguard.pubkey.{index}.b"));
    let mut key = a.to_vec();
    key.extend_from_slice(&b[..16]);
    key.into()
}

/// The deployed suite with its actors and reset snapshot.
#[derive(Debug, Clone)]
pub struct World {
    /// The live chain; actions run here.
    pub chain: Chain,
    snapshot: Chain,
    /// Shared contracts.
    pub contracts: Contracts,
    /// Pools.
    pub pools: Vec<Pool>,
    /// The pool a campaign may deploy itself.
    pub new_pool: NewPool,
    /// Named accounts.
    pub actors: Actors,
    /// Revert reasons by custom error.
    pub decoder: RevertDecoder,
    /// Slots of suite variables that observation reads from storage.
    pub storage_slots: StorageSlots,
    /// Every state-changing entry point of every deployed contract, from the compiled ABIs.
    pub entry_points: Vec<EntryPoint>,
    /// Addresses an ABI call's address arguments choose from: the actors (in caller-index order), every
    /// deployed contract, the zero address and `address(1)`.
    pub address_book: Vec<Address>,
    /// The code hash of each implementation copy ([`Contracts::upgrade_copies`]) mapped to its original's: the
    /// same contract, different only in an immutable, whose branches coverage must not count twice.
    pub code_aliases:
        std::sync::Arc<std::collections::HashMap<alloy_primitives::B256, alloy_primitives::B256>>,
}

impl World {
    /// Compiles the suite at `contracts` (see [`contracts_root`](crate::compile::contracts_root)), saying on
    /// stderr how long it took and whether solc ran, and deploys it with `pools` pools. Refuses a world whose
    /// actors a step's one-byte caller index cannot all reach.
    pub fn build(contracts: &Path, pools: usize) -> anyhow::Result<(World, Artifacts)> {
        use anyhow::{bail, Context as _};
        if pools == 0 {
            bail!("--pools must be at least 1");
        }
        let root = crate::compile::contracts_root(contracts);
        let started = std::time::Instant::now();
        let compiler = crate::compile::SuiteCompiler::new(&root);
        let artifacts = compiler
            .compile()
            .with_context(|| format!("compiling {}", root.display()))?;
        eprintln!(
            "compiled {} ({}) in {:.1?}",
            root.display(),
            if artifacts.compiled_fresh() {
                "solc ran"
            } else {
                "cached"
            },
            started.elapsed()
        );
        let world = World::deploy(
            &artifacts,
            WorldConfig {
                pools,
                ..WorldConfig::default()
            },
        )
        .context("deploying the suite")?;
        let actors = world.actors.all().len();
        if actors > usize::from(u8::MAX) + 1 {
            bail!(
                "--pools {pools} gives {actors} actors, but a step names its caller in one byte (at most 256): use fewer pools"
            );
        }
        Ok((world, artifacts))
    }

    /// Deploys the suite from `artifacts` and takes the reset snapshot.
    pub fn deploy(artifacts: &Artifacts, config: WorldConfig) -> Result<Self, WorldError> {
        Deployer::new(artifacts, config).run()
    }

    /// Whether `who` governs the suite now: owns the factory or the WithdrawalVault (OpenZeppelin's Ownable
    /// namespace) or holds the AccountingOracle's DEFAULT_ADMIN_ROLE (its AccessControl namespace). Read from
    /// storage, since ownership moves: whoever holds it may legitimately pass any argument (an upgrade to
    /// anything), so generated ABI calls of privileged functions are never sent by it.
    pub fn governs_now(&self, who: Address) -> bool {
        use crate::layout::{role_slot, OWNABLE_STORAGE};
        let owns = |contract: Address| {
            Address::from_word(self.chain.storage(contract, OWNABLE_STORAGE.into()).into()) == who
        };
        let is_admin = !self
            .chain
            .storage(
                self.contracts.accounting_oracle,
                role_slot(alloy_primitives::B256::ZERO, who),
            )
            .is_zero();
        owns(self.contracts.factory) || owns(self.contracts.withdrawal_vault) || is_admin
    }

    /// The entry point a call of `to` with `data` hits: the function whose selector `data` starts with, or
    /// `receive()` for empty calldata.
    pub fn entry_point(&self, to: Address, data: &[u8]) -> Option<&EntryPoint> {
        self.entry_points.iter().find(|e| {
            e.address == to
                && match &e.selector {
                    Some(s) => data.len() >= 4 && data[..4] == s[..],
                    None => data.is_empty(),
                }
        })
    }

    /// The entry point a call frame of `to` hit, given its calldata's selector (`None`: shorter than four
    /// bytes, which only `receive()` takes here).
    pub fn entry_point_at(&self, to: Address, selector: Option<[u8; 4]>) -> Option<&EntryPoint> {
        self.entry_points.iter().find(|e| {
            e.address == to
                && match (e.selector, selector) {
                    (Some(f), Some(s)) => f == s,
                    (None, None) => true,
                    _ => false,
                }
        })
    }

    /// The role change a call of `to` with `data` asks for, read from its calldata (whoever sends it: a step's
    /// transaction, whatever op planned it, or a contract actor's callback): `grantRole`, `revokeRole` or
    /// `renounceRole` of a SmartOperator role on a pool's SmartOperator, for an actor.
    pub fn role_op(&self, to: Address, data: &[u8]) -> Option<RoleOp> {
        use crate::bindings::IAccessControl::{grantRoleCall, renounceRoleCall, revokeRoleCall};
        let pool = self.pools.iter().position(|p| p.smart_operator == to)?;
        let selector: [u8; 4] = data.get(..4)?.try_into().ok()?;
        let role_of = |id| Role::ALL.into_iter().find(|r| r.id() == id);
        let actor_of = |a| self.actors.index_of(a).map(usize::from);
        match selector {
            grantRoleCall::SELECTOR => {
                let call = grantRoleCall::abi_decode(data).ok()?;
                Some(RoleOp::Grant {
                    pool,
                    role: role_of(call.role)?,
                    account: actor_of(call.account)?,
                })
            }
            revokeRoleCall::SELECTOR => {
                let call = revokeRoleCall::abi_decode(data).ok()?;
                Some(RoleOp::Revoke {
                    pool,
                    role: role_of(call.role)?,
                    account: actor_of(call.account)?,
                })
            }
            renounceRoleCall::SELECTOR => {
                let call = renounceRoleCall::abi_decode(data).ok()?;
                Some(RoleOp::Renounce {
                    pool,
                    role: role_of(call.role)?,
                })
            }
            _ => None,
        }
    }

    /// The address-book accounts (not the zero address) that calldata `data` names as ABI-encoded words.
    pub fn named_in(&self, data: &[u8]) -> Vec<Address> {
        let mut out = Vec::new();
        for word in data.get(4..).unwrap_or_default().chunks_exact(32) {
            if word[..12].iter().all(|b| *b == 0) {
                let address = Address::from_slice(&word[12..]);
                if address != Address::ZERO
                    && self.address_book.contains(&address)
                    && !out.contains(&address)
                {
                    out.push(address);
                }
            }
        }
        out
    }

    /// A copy of this world for a worker thread, with its own copy of what the hot path clones: the code of its
    /// chain and reset snapshot (see [`Chain::unshare_code`]; the empty code stays revm's one static), the code
    /// aliases (cloned per run) and the pools' pubkeys and credentials (cloned into calldata per step). A plain
    /// clone would make every worker bump the same reference counts on every call.
    pub fn for_worker(&self) -> World {
        let mut world = self.clone();
        let mut copies = std::collections::HashMap::new();
        world.snapshot.unshare_code(&mut copies);
        world.chain.unshare_code(&mut copies);
        world.code_aliases = std::sync::Arc::new((*self.code_aliases).clone());
        let own = |bytes: &mut Bytes| *bytes = Bytes::copy_from_slice(bytes);
        for pool in &mut world.pools {
            own(&mut pool.pubkey);
            own(&mut pool.credentials);
        }
        own(&mut world.new_pool.pubkey);
        own(&mut world.new_pool.credentials);
        world
    }

    /// Returns the chain to the state right after deployment.
    pub fn reset(&mut self) {
        self.chain.return_to(&self.snapshot);
    }

    /// Makes the current state the one [`World::reset`] returns to.
    pub fn take_snapshot(&mut self) {
        self.snapshot = self.chain.clone();
    }

    /// Runs `call` and commits it; a revert is an error carrying the decoded reason.
    pub fn call<C: SolCall>(
        &mut self,
        from: Address,
        to: Address,
        call: &C,
        value: U256,
    ) -> Result<C::Return, WorldError> {
        let outcome = self.chain.call(from, to, call.abi_encode().into(), value)?;
        self.decode_returns::<C>(&outcome)
    }

    /// Runs `call` and commits it; returns the raw outcome whether it reverted or not.
    pub fn try_call<C: SolCall>(
        &mut self,
        from: Address,
        to: Address,
        call: &C,
        value: U256,
    ) -> Result<CallOutcome, WorldError> {
        Ok(self.chain.call(from, to, call.abi_encode().into(), value)?)
    }

    /// Runs `call` without committing.
    pub fn view<C: SolCall>(&self, to: Address, call: &C) -> Result<C::Return, WorldError> {
        self.view_in(&OnChain, to, call)
    }

    /// `call`'s result as `views` answer it on this world's chain.
    pub fn view_in<C: SolCall>(
        &self,
        views: &dyn Views,
        to: Address,
        call: &C,
    ) -> Result<C::Return, WorldError> {
        let outcome = views.view(&self.chain, to, call.abi_encode().into())?;
        self.decode_returns::<C>(&outcome)
    }

    /// Number of withdrawal requests ever made (ids are `1..=count`), as `views` answer it; 0 if the view fails.
    pub fn request_count(&self, views: &dyn Views) -> u64 {
        self.view_in(
            views,
            self.contracts.withdrawal_vault,
            &IWithdrawalVault::requestCountCall {},
        )
        .map(|n| n.saturating_to())
        .unwrap_or(0)
    }

    /// The boost (`drop` false) or boost drop (`drop` true) that `pool`'s SmartOperator has queued at the BGT
    /// stand-in for its validator, read from the stand-in's storage (it has no view of it): the block it was queued
    /// at (as the stand-in keeps it, a uint32) and the amount.
    pub fn bgt_queued(&self, pool: &Pool, drop: bool) -> (u64, U256) {
        self.bgt_queued_at(self.bgt_queue_slot(pool, drop))
    }

    /// The BGT stand-in's slot that [`World::bgt_queued`] reads (two hashes: callers that read it at every step
    /// compute it once).
    pub fn bgt_queue_slot(&self, pool: &Pool, drop: bool) -> U256 {
        let base = if drop {
            self.storage_slots.bgt_drop_queue
        } else {
            self.storage_slots.bgt_boost_queue
        };
        crate::layout::mapping_slot(
            alloy_primitives::keccak256(&pool.pubkey),
            crate::layout::mapping_slot(pool.smart_operator.into_word(), base.into()),
        )
        .into()
    }

    /// [`World::bgt_queued`] from the slot [`World::bgt_queue_slot`] gave.
    pub fn bgt_queued_at(&self, slot: U256) -> (u64, U256) {
        bgt_queue_entry(self.chain.storage(self.contracts.bgt, slot))
    }

    /// What an oracle report for `pool` needs, as `views` answer it: the consensus layer's actual balance, the last
    /// refSlot and the balance the pool expects. Zeros where a view fails.
    pub fn oracle_inputs(&self, views: &dyn Views, pool: &Pool) -> (U256, U256, U256) {
        let (actual, last) = self.validator_and_last_slot(views, &pool.pubkey);
        let expected = self
            .view_in(
                views,
                pool.staking_pool,
                &IStakingPool::expectedClBalanceCall {},
            )
            .unwrap_or_default();
        (actual, last, expected)
    }

    /// What any oracle report for validator `pubkey` needs, as `views` answer it: its balance at BeaconDeposit and the oracle's last
    /// refSlot for it. Zeros where a view fails.
    pub fn validator_and_last_slot(&self, views: &dyn Views, pubkey: &Bytes) -> (U256, U256) {
        let actual = self
            .view_in(
                views,
                self.contracts.beacon_deposit,
                &IBeaconDeposit::validatorBalanceCall {
                    pubkey: pubkey.clone(),
                },
            )
            .unwrap_or_default();
        let last = self
            .view_in(
                views,
                self.contracts.accounting_oracle,
                &IAccountingOracle::getLastReportCall {
                    pubkey: pubkey.clone(),
                },
            )
            .map(|r| r.refSlot)
            .unwrap_or_default();
        (actual, last)
    }

    /// Consensus-layer withdrawals `pool` requested and the consensus layer has not paid yet, as `views` answer it.
    pub fn pending_cl_withdrawals(&self, views: &dyn Views, pool: &Pool) -> U256 {
        self.view_in(
            views,
            pool.staking_pool,
            &IStakingPool::pendingClWithdrawalsCall {},
        )
        .unwrap_or_default()
    }

    /// A hash of the world's runtime code (the implementations and the chain stand-ins), naming the suite a
    /// finding was made on.
    pub fn suite_hash(&self) -> String {
        let c = &self.contracts;
        let mut code = Vec::new();
        for a in [
            c.staking_pool_impl,
            c.smart_operator_impl,
            c.rewards_vault_impl,
            c.incentive_collector_impl,
            c.factory_impl,
            c.withdrawal_vault_impl,
            c.accounting_oracle_impl,
            c.beacon_deposit,
            c.bgt,
            c.bera_chef,
        ] {
            code.extend_from_slice(&self.chain.code(a));
        }
        alloy_primitives::hex::encode(&keccak256(&code)[..8])
    }

    /// Builds the world of the suite at `contracts` with `pools` pools ([`World::build`]) and prints its
    /// [`manifest`](Self::manifest) on stdout.
    pub fn print_manifest(contracts: &Path, pools: usize) -> anyhow::Result<()> {
        let (world, _) = World::build(contracts, pools)?;
        println!("{}", serde_json::to_string_pretty(&world.manifest())?);
        Ok(())
    }

    /// Every address of the world as JSON: shared contracts, pools, and the actors in the order an
    /// [`Action`](crate::actions::Action)'s `caller` indexes them. Reproducers built outside poolguard (Foundry
    /// tests, `cast` scripts) check their own deployment against it.
    pub fn manifest(&self) -> serde_json::Value {
        let actors: Vec<serde_json::Value> = self
            .actors
            .all()
            .iter()
            .copied()
            .enumerate()
            .map(|(index, address)| {
                serde_json::json!({ "index": index, "name": self.actors.name(address), "address": address })
            })
            .collect();
        serde_json::json!({
            "chain_id": crate::evm::CHAIN_ID,
            "block": self.snapshot.block_number(),
            "timestamp": self.snapshot.timestamp(),
            "contracts": self.contracts,
            "pools": self.pools,
            "new_pool": self.new_pool,
            "actors": actors,
            "entry_points": self
                .entry_points
                .iter()
                .map(|e| serde_json::json!({ "contract": e.label, "address": e.address, "function": e.signature, "payable": e.payable }))
                .collect::<Vec<_>>(),
        })
    }

    /// A readable name for `address`: an actor's name, a shared contract (`WithdrawalVault`), a pool's contract
    /// (`pool0.StakingPool`), or the checksummed hex.
    pub fn label(&self, address: Address) -> String {
        let c = &self.contracts;
        let shared = [
            (c.beacon_deposit, "BeaconDeposit"),
            (c.withdrawal_requests, "WithdrawalRequests"),
            (c.bgt, "BGT"),
            (c.bera_chef, "BeraChef"),
            (c.wbera, "WBERA"),
            (c.incentive_token, "IncentiveToken"),
            (c.factory, "StakingPoolContractsFactory"),
            (c.withdrawal_vault, "WithdrawalVault"),
            (c.accounting_oracle, "AccountingOracle"),
        ];
        if let Some((_, name)) = shared.iter().find(|(a, _)| *a == address) {
            return (*name).to_string();
        }
        for pool in &self.pools {
            let own = [
                (pool.staking_pool, "StakingPool"),
                (pool.smart_operator, "SmartOperator"),
                (pool.rewards_vault, "StakingRewardsVault"),
                (pool.incentive_collector, "IncentiveCollector"),
            ];
            if let Some((_, name)) = own.iter().find(|(a, _)| *a == address) {
                return format!("pool{}.{name}", pool.index);
            }
        }
        self.actors.name(address)
    }

    /// Decoded revert reason of an outcome.
    pub fn reason(&self, outcome: &CallOutcome) -> String {
        match &outcome.halt {
            Some(halt) => format!("halted: {halt}"),
            None => self.decoder.decode(&outcome.output),
        }
    }

    /// Decodes `outcome` as the return of `C`; a revert is an error carrying the decoded reason.
    pub fn decode_returns<C: SolCall>(
        &self,
        outcome: &CallOutcome,
    ) -> Result<C::Return, WorldError> {
        if !outcome.success {
            return Err(WorldError::Reverted {
                what: C::SIGNATURE.to_string(),
                reason: self.reason(outcome),
            });
        }
        C::abi_decode_returns(&outcome.output).map_err(|e| WorldError::Decode {
            what: C::SIGNATURE.to_string(),
            message: e.to_string(),
        })
    }
}

/// Builds a [`World`] step by step.
struct Deployer<'a> {
    artifacts: &'a Artifacts,
    config: WorldConfig,
    chain: Chain,
    decoder: RevertDecoder,
    actors: Actors,
}

impl<'a> Deployer<'a> {
    fn new(artifacts: &'a Artifacts, config: WorldConfig) -> Self {
        let mut actors = Actors {
            governance: Address::ZERO,
            system: Address::ZERO,
            feeder: Address::ZERO,
            protocol_fee_recipient: Address::ZERO,
            attacker: Address::ZERO,
            stakers: Vec::new(),
            contracts: Vec::new(),
            contract_origin: actor_address("contract_origin"),
            names: BTreeMap::new(),
            sorted: Vec::new(),
        };
        actors.governance = actors.add("governance");
        actors.system = actors.add("system");
        actors.feeder = actors.add("feeder");
        actors.protocol_fee_recipient = actors.add("protocol_fee_recipient");
        actors.attacker = actors.add("attacker");
        for i in 0..config.stakers {
            let staker = actors.add(&format!("staker{i}"));
            actors.stakers.push(staker);
        }
        Self {
            artifacts,
            config,
            chain: Chain::new(),
            decoder: RevertDecoder::from_artifacts(artifacts),
            actors,
        }
    }

    fn run(mut self) -> Result<World, WorldError> {
        let whale = BERA * U256::from(1_000_000_000u64);
        self.chain.set_balance(self.actors.system, whale);
        self.chain
            .set_balance(self.actors.governance, BERA * U256::from(100_000_000u64));
        self.chain
            .set_balance(self.actors.attacker, BERA * U256::from(1_000_000u64));
        // The feeder and the protocol fee recipient can pay a fee or a deposit too (the recipient holds shares
        // and may request their withdrawal).
        for who in [self.actors.feeder, self.actors.protocol_fee_recipient] {
            self.chain.set_balance(who, BERA * U256::from(100_000u64));
        }
        for &staker in &self.actors.stakers {
            self.chain.set_balance(staker, staker_bera());
        }
        let governance = self.actors.governance;
        let system = self.actors.system;

        // Chain stand-ins.
        let withdrawal_requests =
            self.deploy("WithdrawalRequests", ctorSystemCall { system }.abi_encode())?;
        let beacon_deposit = self.deploy(
            "BeaconDeposit",
            ctorSystemAndRequestsCall {
                system,
                requests: withdrawal_requests,
            }
            .abi_encode(),
        )?;
        self.must(
            system,
            withdrawal_requests,
            &IDeploy::setConsensusLayerCall { cl: beacon_deposit },
            "setConsensusLayer",
        )?;
        let bgt = self.deploy("BGT", ctorSystemCall { system }.abi_encode())?;
        let bera_chef = self.deploy(
            "BeraChef",
            ctorAddressCall { a: beacon_deposit }.abi_encode(),
        )?;
        let wbera = self.deploy("WBERA", Vec::new())?;
        let incentive_token =
            self.deploy("IncentiveToken", ctorSystemCall { system }.abi_encode())?;

        // Implementations.
        let staking_pool_impl = self.deploy("StakingPool", Vec::new())?;
        let smart_operator_impl = self.deploy("SmartOperator", Vec::new())?;
        let rewards_vault_impl = self.deploy("StakingRewardsVault", Vec::new())?;
        let incentive_collector_impl = self.deploy("IncentiveCollector", Vec::new())?;
        let factory_impl = self.deploy("StakingPoolContractsFactory", Vec::new())?;
        let withdrawal_vault_impl = self.deploy("WithdrawalVault", Vec::new())?;
        let accounting_oracle_impl = self.deploy("AccountingOracle", Vec::new())?;

        // Shared contracts behind UUPS proxies.
        let factory_init = IDeploy::initializeCall {
            governance,
            chain: IDeploy::ChainContracts {
                beaconDeposit: beacon_deposit,
                withdrawalRequests: withdrawal_requests,
                bgt,
                beraChef: bera_chef,
            },
            impls: IDeploy::Implementations {
                stakingPool: staking_pool_impl,
                smartOperator: smart_operator_impl,
                stakingRewardsVault: rewards_vault_impl,
                incentiveCollector: incentive_collector_impl,
            },
        };
        let factory = self.proxy(factory_impl, factory_init.abi_encode())?;
        let withdrawal_vault = self.proxy(
            withdrawal_vault_impl,
            ISharedInit::initializeCall {
                governance,
                factory,
            }
            .abi_encode(),
        )?;
        let accounting_oracle = self.proxy(
            accounting_oracle_impl,
            ISharedInit::initializeCall {
                governance,
                factory,
            }
            .abi_encode(),
        )?;
        self.must(
            governance,
            factory,
            &IStakingPoolContractsFactory::setSharedContractsCall {
                withdrawalVault: withdrawal_vault,
                accountingOracle: accounting_oracle,
            },
            "setSharedContracts",
        )?;
        let recipient = self.actors.protocol_fee_recipient;
        self.must(
            governance,
            factory,
            &IStakingPoolContractsFactory::setProtocolFeeRecipientCall { recipient },
            "setProtocolFeeRecipient",
        )?;
        let feeder_role = self.view(accounting_oracle, &IAccountingOracle::FEEDER_ROLECall {})?;
        let feeder = self.actors.feeder;
        self.must(
            governance,
            accounting_oracle,
            &IAccessControl::grantRoleCall {
                role: feeder_role,
                account: feeder,
            },
            "grant FEEDER_ROLE",
        )?;

        let mut contracts = Contracts {
            beacon_deposit,
            withdrawal_requests,
            bgt,
            bera_chef,
            wbera,
            incentive_token,
            factory,
            withdrawal_vault,
            accounting_oracle,
            staking_pool_impl,
            smart_operator_impl,
            rewards_vault_impl,
            incentive_collector_impl,
            factory_impl,
            withdrawal_vault_impl,
            accounting_oracle_impl,
            force_sender: Address::ZERO,
            upgrade_copies: UpgradeCopies::default(),
        };

        let mut pools = Vec::with_capacity(self.config.pools);
        for index in 0..self.config.pools {
            pools.push(self.create_pool(index, &contracts)?);
        }
        let new_pubkey = pool_pubkey(pools.len());
        let predicted = self.view(
            contracts.factory,
            &IStakingPoolContractsFactory::predictStakingPoolContractsAddressesCall {
                pubkey: new_pubkey.clone(),
            },
        )?;
        let new_pool = NewPool {
            pubkey: new_pubkey,
            credentials: withdrawal_credentials(contracts.withdrawal_vault),
            predicted: core_addresses(&predicted),
        };

        // Harness-only contracts come from their own deployer (nonces 0 to 7), so that no suite address moves;
        // contract actors last, so that their indices follow every externally owned actor's.
        let origin = self.actors.contract_origin;
        self.chain.set_balance(origin, BERA * U256::from(1_000u64));
        contracts.force_sender = self.deploy_from(origin, "ForceSender", Vec::new())?;
        for (name, artifact) in [
            ("contract_actor", "ContractActor"),
            ("contract_actor_no_receiver", "ContractActorNoReceiver"),
        ] {
            let address = self.deploy_from(origin, artifact, Vec::new())?;
            self.chain.set_balance(address, staker_bera());
            self.actors.add_contract(name, address);
        }
        // After every other harness contract, so that none of them moved.
        contracts.upgrade_copies = UpgradeCopies {
            staking_pool: self.deploy_from(origin, "StakingPool", Vec::new())?,
            smart_operator: self.deploy_from(origin, "SmartOperator", Vec::new())?,
            factory: self.deploy_from(origin, "StakingPoolContractsFactory", Vec::new())?,
            withdrawal_vault: self.deploy_from(origin, "WithdrawalVault", Vec::new())?,
            accounting_oracle: self.deploy_from(origin, "AccountingOracle", Vec::new())?,
        };

        // The second contract actor starts refusing BERA (its callbacks armed to revert), as a contract whose
        // `receive` refuses or that has none: every refund or payout the suite pushes to it fails until a step arms
        // another hook. The first accepts, so both kinds of holder are in every world. Armed after the last
        // deployment from `contract_origin`, so no harness address moves (contracts/test/utils/PoolguardWorld.sol
        // arms it the same way).
        let refusing = self.actors.contracts[1];
        self.must(
            origin,
            refusing,
            &IContractActor::setHookCall {
                mode: HOOK_REVERT,
                target: Address::ZERO,
                data: Default::default(),
                value: U256::ZERO,
            },
            "arm the refusing contract actor",
        )?;

        let now = self.chain.timestamp()
            + (START_BLOCK - self.chain.block_number()) * crate::evm::BLOCK_TIME;
        self.chain.set_block(START_BLOCK, now);
        let snapshot = self.chain.clone();
        let entry_points = self.entry_points(&contracts, &pools)?;
        let mut address_book: Vec<Address> = self.actors.all().to_vec();
        // The contracts with entry points first, then every other account with code (beacons, implementations,
        // the chain's stand-ins), in address order: an argument that must name one of them (a beacon to build a
        // proxy on, an implementation to upgrade to) can.
        let with_code = self
            .chain
            .code_hashes()
            .into_iter()
            .map(|(address, _)| address);
        for address in entry_points
            .iter()
            .map(|entry| entry.address)
            .chain(with_code)
        {
            if !address_book.contains(&address) {
                address_book.push(address);
            }
        }
        // Both edges of a zero-address check: zero, and the first address that is not.
        address_book.push(Address::ZERO);
        address_book.push(Address::with_last_byte(1));
        let copies = &contracts.upgrade_copies;
        let hash_of = |a: Address| keccak256(self.chain.code(a));
        let code_aliases = [
            (copies.staking_pool, contracts.staking_pool_impl),
            (copies.smart_operator, contracts.smart_operator_impl),
            (copies.factory, contracts.factory_impl),
            (copies.withdrawal_vault, contracts.withdrawal_vault_impl),
            (copies.accounting_oracle, contracts.accounting_oracle_impl),
        ]
        .into_iter()
        .map(|(copy, original)| (hash_of(copy), hash_of(original)))
        .filter(|(copy, original)| copy != original)
        .collect();
        Ok(World {
            chain: self.chain,
            snapshot,
            contracts,
            pools,
            new_pool,
            actors: self.actors,
            decoder: self.decoder,
            storage_slots: StorageSlots::locate(self.artifacts)?,
            entry_points,
            address_book,
            code_aliases: std::sync::Arc::new(code_aliases),
        })
    }

    /// Every deployed contract with the artifact whose ABI it answers to (proxies: their implementation's).
    fn entry_points(&self, c: &Contracts, pools: &[Pool]) -> Result<Vec<EntryPoint>, WorldError> {
        let mut targets: Vec<(Address, String, &str)> = vec![
            (c.beacon_deposit, "BeaconDeposit".into(), "BeaconDeposit"),
            (
                c.withdrawal_requests,
                "WithdrawalRequests".into(),
                "WithdrawalRequests",
            ),
            (c.bgt, "BGT".into(), "BGT"),
            (c.bera_chef, "BeraChef".into(), "BeraChef"),
            (c.wbera, "WBERA".into(), "WBERA"),
            (c.incentive_token, "IncentiveToken".into(), "IncentiveToken"),
            (
                c.factory,
                "StakingPoolContractsFactory".into(),
                "StakingPoolContractsFactory",
            ),
            (
                c.withdrawal_vault,
                "WithdrawalVault".into(),
                "WithdrawalVault",
            ),
            (
                c.accounting_oracle,
                "AccountingOracle".into(),
                "AccountingOracle",
            ),
        ];
        for pool in pools {
            let i = pool.index;
            targets.extend([
                (
                    pool.staking_pool,
                    format!("pool{i}.StakingPool"),
                    "StakingPool",
                ),
                (
                    pool.smart_operator,
                    format!("pool{i}.SmartOperator"),
                    "SmartOperator",
                ),
                (
                    pool.rewards_vault,
                    format!("pool{i}.StakingRewardsVault"),
                    "StakingRewardsVault",
                ),
                (
                    pool.incentive_collector,
                    format!("pool{i}.IncentiveCollector"),
                    "IncentiveCollector",
                ),
            ]);
        }
        // Implementations are deployed contracts too: calling one directly is something an attacker can do.
        for (address, name) in [
            (c.staking_pool_impl, "StakingPool"),
            (c.smart_operator_impl, "SmartOperator"),
            (c.rewards_vault_impl, "StakingRewardsVault"),
            (c.incentive_collector_impl, "IncentiveCollector"),
            (c.factory_impl, "StakingPoolContractsFactory"),
            (c.withdrawal_vault_impl, "WithdrawalVault"),
            (c.accounting_oracle_impl, "AccountingOracle"),
        ] {
            targets.push((address, format!("{name} (implementation)"), name));
        }
        let mut out = Vec::new();
        for (address, label, artifact) in targets {
            out.extend(crate::entry_points::of_contract(
                address,
                &label,
                self.artifacts.get(artifact)?,
                &self.artifacts.policy,
            ));
        }
        let unknown = crate::entry_points::unknown_policy_keys(&self.artifacts.policy, &out);
        if !unknown.is_empty() {
            return Err(WorldError::Policy(format!(
                "{} names entry points the world does not have: {} (keys are Contract.signature, e.g. \"StakingPool.submit(address)\")",
                crate::policy::POLICY_FILE,
                unknown.join(", ")
            )));
        }
        Ok(out)
    }

    fn create_pool(&mut self, index: usize, contracts: &Contracts) -> Result<Pool, WorldError> {
        let name = |role: &str| format!("pool{index}.{role}");
        let roles = PoolRoles {
            validator_admin: self.actors.add(&name("validator_admin")),
            commission_manager: self.actors.add(&name("commission_manager")),
            protocol_fee_manager: self.actors.add(&name("protocol_fee_manager")),
            rewards_allocation_manager: self.actors.add(&name("rewards_allocation_manager")),
            incentive_collector_manager: self.actors.add(&name("incentive_collector_manager")),
            bgt_manager: self.actors.add(&name("bgt_manager")),
            default_shares_recipient: self.actors.add(&name("default_shares_recipient")),
        };
        // Every role holder and the default shares recipient can pay for what it may do: a request's fee, a
        // deposit (an account with no BERA can only send calls that pay nothing).
        for who in [
            roles.validator_admin,
            roles.commission_manager,
            roles.protocol_fee_manager,
            roles.rewards_allocation_manager,
            roles.incentive_collector_manager,
            roles.bgt_manager,
            roles.default_shares_recipient,
        ] {
            self.chain.set_balance(who, BERA * U256::from(100_000u64));
        }
        let pubkey = pool_pubkey(index);
        let credentials = withdrawal_credentials(contracts.withdrawal_vault);
        let signature: Bytes = vec![0xab; 96].into();

        let deploy = IStakingPoolContractsFactory::deployStakingPoolContractsCall {
            pubkey: pubkey.clone(),
            credentials: credentials.clone(),
            signature,
            validatorAdmin: roles.validator_admin,
            defaultSharesRecipient: roles.default_shares_recipient,
        };
        let outcome = self.chain.call(
            roles.validator_admin,
            contracts.factory,
            deploy.abi_encode().into(),
            FIRST_DEPOSIT_AMOUNT,
        )?;
        self.check(&outcome, "deployStakingPoolContracts")?;
        let core = self.view(
            contracts.factory,
            &IStakingPoolContractsFactory::getCoreContractsCall {
                pubkey: pubkey.clone(),
            },
        )?;

        // The oracle sees the first deposit on the consensus layer; anyone may then activate.
        let gwei = FIRST_DEPOSIT_AMOUNT / U256::from(1_000_000_000u64);
        let report = IAccountingOracle::updateTotalDepositsCall {
            pubkey: pubkey.clone(),
            balanceGwei: gwei,
            refSlot: U256::from(1),
        };
        let feeder = self.actors.feeder;
        self.must(
            feeder,
            contracts.accounting_oracle,
            &report,
            "first oracle report",
        )?;
        let system = self.actors.system;
        self.must(
            system,
            contracts.factory,
            &IStakingPoolContractsFactory::activateStakingPoolCall {
                pubkey: pubkey.clone(),
            },
            "activateStakingPool",
        )?;

        // The validator hands out its manager roles.
        let operator = core.smartOperator;
        let grants = [
            (
                ISmartOperator::COMMISSION_MANAGER_ROLECall {}.abi_encode(),
                roles.commission_manager,
            ),
            (
                ISmartOperator::PROTOCOL_FEE_MANAGER_ROLECall {}.abi_encode(),
                roles.protocol_fee_manager,
            ),
            (
                ISmartOperator::REWARDS_ALLOCATION_MANAGER_ROLECall {}.abi_encode(),
                roles.rewards_allocation_manager,
            ),
            (
                ISmartOperator::INCENTIVE_COLLECTOR_MANAGER_ROLECall {}.abi_encode(),
                roles.incentive_collector_manager,
            ),
            (
                ISmartOperator::BGT_MANAGER_ROLECall {}.abi_encode(),
                roles.bgt_manager,
            ),
        ];
        for (getter, account) in grants {
            let out = self.chain.view(Address::ZERO, operator, getter.into())?;
            self.check(&out, "role getter")?;
            let role =
                FixedBytes::<32>::abi_decode(&out.output).map_err(|e| WorldError::Decode {
                    what: "role getter".into(),
                    message: e.to_string(),
                })?;
            self.must(
                roles.validator_admin,
                operator,
                &IAccessControl::grantRoleCall { role, account },
                "grant manager role",
            )?;
        }

        Ok(Pool {
            index,
            pubkey,
            credentials,
            staking_pool: core.stakingPool,
            smart_operator: core.smartOperator,
            rewards_vault: core.stakingRewardsVault,
            incentive_collector: core.incentiveCollector,
            roles,
        })
    }

    fn deploy(&mut self, name: &str, ctor_call: Vec<u8>) -> Result<Address, WorldError> {
        self.deploy_from(self.actors.governance, name, ctor_call)
    }

    fn deploy_from(
        &mut self,
        deployer: Address,
        name: &str,
        ctor_call: Vec<u8>,
    ) -> Result<Address, WorldError> {
        let artifact = self.artifacts.get(name)?;
        let mut initcode = artifact.bytecode.to_vec();
        // Constructor arguments are the ABI encoding of the arguments, without a selector.
        if ctor_call.len() > 4 {
            initcode.extend_from_slice(&ctor_call[4..]);
        }
        let outcome = self.chain.deploy(deployer, initcode.into(), U256::ZERO)?;
        self.check(&outcome, &format!("deploy {name}"))?;
        outcome.created.ok_or_else(|| WorldError::Reverted {
            what: format!("deploy {name}"),
            reason: "no address".into(),
        })
    }

    fn proxy(&mut self, implementation: Address, init: Vec<u8>) -> Result<Address, WorldError> {
        self.deploy(
            "ERC1967Proxy",
            ctorProxyCall {
                implementation,
                data: init.into(),
            }
            .abi_encode(),
        )
    }

    fn must<C: SolCall>(
        &mut self,
        from: Address,
        to: Address,
        call: &C,
        what: &str,
    ) -> Result<(), WorldError> {
        let outcome = self
            .chain
            .call(from, to, call.abi_encode().into(), U256::ZERO)?;
        self.check(&outcome, what)
    }

    fn view<C: SolCall>(&self, to: Address, call: &C) -> Result<C::Return, WorldError> {
        let outcome = self
            .chain
            .view(Address::ZERO, to, call.abi_encode().into())?;
        self.check(&outcome, C::SIGNATURE)?;
        C::abi_decode_returns(&outcome.output).map_err(|e| WorldError::Decode {
            what: C::SIGNATURE.to_string(),
            message: e.to_string(),
        })
    }

    fn check(&self, outcome: &CallOutcome, what: &str) -> Result<(), WorldError> {
        if outcome.success {
            return Ok(());
        }
        let reason = match &outcome.halt {
            Some(halt) => format!("halted: {halt}"),
            None => self.decoder.decode(&outcome.output),
        };
        Err(WorldError::Reverted {
            what: what.to_string(),
            reason,
        })
    }
}
