//! The observe stage: reads the world into an [`Observation`] after each step, decodes the step's logs into
//! [`StepEvents`] and its transaction into the [`SuiteCall`] it made: the plain data the invariant catalog checks.
//!
//! Share balances and role membership are read from OpenZeppelin 5's ERC-7201 namespaced storage directly
//! (one database lookup each instead of one EVM call each); everything else through the contracts' views, which
//! are reused while nothing they read has changed, each pool's observation while nothing it read has, and the whole
//! observation while nothing in the chain has ([`cache`], [`ObserveMode`]).

mod cache;

pub use cache::CacheStats;

use std::collections::HashMap;
use std::sync::Mutex;

use alloy_primitives::{keccak256, Address, Bytes, Log, B256, U256};
use alloy_sol_types::{SolCall, SolEvent};
use poolguard_invariants::observation::{
    BgtAccrual, BgtDelays, BgtQueue, ClRequestObservation, CoreAddresses, DepositsUpdated,
    Forwarder, ForwarderBalance, FullExit, ImplementationSlot, NewPoolObservation, PoolDeployed,
    PubkeyOf, QueuedAllocation, Requested, Setting,
};
use poolguard_invariants::{
    AcceptedReport, Burn, Claimed, Deposit, FeeMint, Finalization, LastReport, Observation,
    OracleBounds, PoolAmount, PoolObservation, Previews, Reentry, ReportArgs, RequestObservation,
    Role, ShareTransfer, StepEvents, StepRecord, SuiteCall, SuiteFunction, TokenTransfer,
};

use crate::actions::Planned;
use crate::bindings::{
    IAccountingOracle, IBeaconDeposit, IBeraChef, IContractActor, IIncentiveCollector, IOwnable,
    ISmartOperator, IStBERA, IStakingPool, IStakingPoolContractsFactory, IStakingRewardsVault,
    IWithdrawalRequests, IWithdrawalVault, IBGT, IERC20, IUUPS,
};
use crate::evm::{CallOutcome, Chain, EvmError};
use crate::execute::Executed;
use crate::layout::{
    erc721_owner_slot, erc721_symbol_slot, mapping_slot, role_slot, short_string, OWNABLE_STORAGE,
};
use crate::world::World;

/// `keccak256(abi.encode(uint256(keccak256("openzeppelin.storage.ERC20")) - 1)) & ~0xff`.
const ERC20_STORAGE: B256 =
    alloy_primitives::b256!("52c63247e1f47db19d5ce0460030c497f067ca4cebf71ba98eeadabe20bace00");
/// `keccak256(abi.encode(uint256(keccak256("openzeppelin.storage.Pausable")) - 1)) & ~0xff`: `_paused` is its
/// first byte.
const PAUSABLE_STORAGE: B256 =
    alloy_primitives::b256!("cd5ed15c6e187e77e9aee88184c21f4f2182ab5827cb3b7e07fbedcd63f03300");
/// ERC-1967's implementation slot, `bytes32(uint256(keccak256("eip1967.proxy.implementation")) - 1)`.
const ERC1967_IMPLEMENTATION: B256 =
    alloy_primitives::b256!("360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc");
/// ERC-1967's beacon slot, `bytes32(uint256(keccak256("eip1967.proxy.beacon")) - 1)`.
const ERC1967_BEACON: B256 =
    alloy_primitives::b256!("a3f0ad74e5423aebfd80d3ef4346578335a9a72aeaee59ff6cb3582b35133d50");
/// `Upgraded(address)`, emitted by ERC-1967 proxies and UpgradeableBeacon.
const UPGRADED: B256 =
    alloy_primitives::b256!("bc7cd75a20ee27fd9adebab32041f755214dbc6bffa90cc0225b39da2e5c2d3b");

/// `keccak256(abi.encode(uint256(keccak256("openzeppelin.storage.Initializable")) - 1)) & ~0xff`: `_initialized`
/// (a `uint64`) is its low eight bytes.
const INITIALIZABLE_STORAGE: B256 =
    alloy_primitives::b256!("f0c57e16840df040f15088dc2f81fe391c3923bec73e23a9662efc9c229c6a00");

/// Probe amounts for the preview checks.
const PROBES: [u128; 3] = [
    1,
    1_000_000_000_000_000_007,
    123_456_789_000_000_000_000_000,
];

/// The probe amount a pool with this supply and these assets is previewed at. Chosen by the pool's state, not by
/// the step: a pool left unchanged by a step is previewed at the same amount as before, so its previews come from
/// the view cache instead of being executed again at another amount (cycling the amount by step re-ran them whenever
/// the pool had changed in any of the last three steps, two thirds of all view executions); a changed pool is
/// previewed at whichever amount its new state picks, so across the states of a campaign every amount is checked.
/// The price: a state is previewed at one amount only (the deployed state, where every run starts, included), where
/// cycling checked a pool left alone for three steps at all three.
fn probe_for(total_supply: U256, total_assets: U256) -> U256 {
    let word = total_supply.as_limbs()[0] ^ total_assets.as_limbs()[0].rotate_left(29);
    let mixed = word.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32;
    U256::from(PROBES[(mixed % PROBES.len() as u64) as usize])
}

/// How an [`Observer`] runs the suite's views.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ObserveMode {
    /// Reuse each view's result while nothing it read has changed (the default), in observations and in the plans
    /// the observer answers views for (`impl Views for Observer`).
    #[default]
    Incremental,
    /// Run every view at every observation and for every plan.
    Full,
    /// Both, comparing the two observations, and each plan's view with the chain's answer: any difference is a
    /// harness bug, kept in [`Observer::mismatches`]. The full observation and the chain's answers are the ones
    /// returned.
    Paranoid,
}

/// Reads observations of one world; caches what never changes (actor list, address → pool map, and the
/// storage slots of every actor's share balance and role memberships: hashing them anew at every step cost
/// two thirds of the harness's time), and the views' results while their inputs stay the same.
#[derive(Debug, Clone)]
pub struct Observer {
    mode: ObserveMode,
    /// A clone starts with an empty cache and no mismatches.
    cache: PerObserver<cache::ViewCache>,
    /// Paranoid mode's differences between the incremental and the full observation (the first few).
    mismatches: PerObserver<Vec<String>>,
    actors: Vec<Address>,
    /// [`crate::world::Actors::outsiders`] and the contract actors, read once (every observation carries them).
    outsiders: Vec<Address>,
    contract_actors: Vec<Address>,
    pool_of: HashMap<Address, usize>,
    pubkey_pool: HashMap<B256, usize>,
    /// The hash of the new pool's pubkey (`World::new_pool`).
    new_pool_key: B256,
    /// Per actor: the slot of its ERC-20 balance.
    balance_slots: Vec<U256>,
    /// The address book's other entries (contracts, zero, `address(1)`) and the slots of their ERC-20 balances.
    other_holders: Vec<Address>,
    other_balance_slots: Vec<U256>,
    /// Per role of [`Role::ALL`], per actor: the slot of its membership.
    role_slots: Vec<Vec<U256>>,
    /// Per actor: the slot of its FEEDER_ROLE membership.
    feeder_slots: Vec<U256>,
    /// Per actor: the slot of its DEFAULT_ADMIN_ROLE membership on the oracle.
    oracle_admin_slots: Vec<U256>,
    /// The suite contracts that only pass BERA on (LIVE-003), whose raw balances every observation reads.
    forwarders: Vec<(Address, Forwarder)>,
    /// Each slot that decides what a proxy runs, with the contract that holds it (ACCESS-005).
    implementation_slots: Vec<(Address, U256)>,
    /// The WithdrawalVault's `_funds` and `_attributedWithdrawn` slots for each pool's pubkey (ACCT-003).
    vault_funds_slots: Vec<(U256, U256)>,
    /// Each pool's queued boost and boost drop slots at the BGT stand-in ([`World::bgt_queue_slot`]).
    bgt_queue_slots: Vec<[U256; 2]>,
}

impl Observer {
    /// An observer for `world`.
    pub fn new(world: &World) -> Self {
        let mut pool_of = HashMap::new();
        let mut pubkey_pool = HashMap::new();
        for p in &world.pools {
            for a in p.proxies() {
                pool_of.insert(a, p.index);
            }
            pubkey_pool.insert(keccak256(&p.pubkey), p.index);
        }
        let actors = world.actors.all();
        let balance_slots = actors
            .iter()
            .map(|a| mapping_slot(a.into_word(), ERC20_STORAGE).into())
            .collect();
        let other_holders: Vec<Address> = world
            .address_book
            .iter()
            .filter(|a| !actors.contains(a))
            .copied()
            .collect();
        let other_balance_slots = other_holders
            .iter()
            .map(|a| mapping_slot(a.into_word(), ERC20_STORAGE).into())
            .collect();
        let role_slots = Role::ALL
            .iter()
            .map(|r| actors.iter().map(|a| role_slot(r.id(), *a)).collect())
            .collect();
        let feeder_role = keccak256("FEEDER_ROLE");
        let feeder_slots = actors.iter().map(|a| role_slot(feeder_role, *a)).collect();
        let oracle_admin_slots = actors.iter().map(|a| role_slot(B256::ZERO, *a)).collect();
        let c = &world.contracts;
        let mut implementation_slots: Vec<(Address, U256)> =
            [c.factory, c.withdrawal_vault, c.accounting_oracle]
                .into_iter()
                .map(|proxy| (proxy, ERC1967_IMPLEMENTATION.into()))
                .collect();
        let mut beacons = Vec::new();
        for p in &world.pools {
            for proxy in p.proxies() {
                implementation_slots.push((proxy, ERC1967_BEACON.into()));
                // The beacons the world deployed, found where its proxies point (the factory does not say which
                // beacon is which except through views of its own).
                let beacon =
                    Address::from_word(world.chain.storage(proxy, ERC1967_BEACON.into()).into());
                if !beacons.contains(&beacon) {
                    beacons.push(beacon);
                }
            }
        }
        implementation_slots.extend(
            beacons
                .into_iter()
                .map(|b| (b, world.storage_slots.beacon_implementation)),
        );
        let vault_funds_slots = world
            .pools
            .iter()
            .map(|p| {
                let key = keccak256(&p.pubkey);
                let slots = &world.storage_slots;
                (
                    mapping_slot(key, slots.vault_funds.into()).into(),
                    mapping_slot(key, slots.vault_attributed_withdrawn.into()).into(),
                )
            })
            .collect();
        let bgt_queue_slots = world
            .pools
            .iter()
            .map(|p| [false, true].map(|drop| world.bgt_queue_slot(p, drop)))
            .collect();
        Self {
            mode: ObserveMode::default(),
            cache: PerObserver::default(),
            mismatches: PerObserver::default(),
            actors: actors.to_vec(),
            outsiders: world.actors.outsiders(),
            contract_actors: world.actors.contracts.clone(),
            pool_of,
            pubkey_pool,
            new_pool_key: keccak256(&world.new_pool.pubkey),
            balance_slots,
            other_holders,
            other_balance_slots,
            role_slots,
            feeder_slots,
            forwarders: world
                .pools
                .iter()
                .flat_map(|p| {
                    [
                        (p.smart_operator, Forwarder::SmartOperator { pool: p.index }),
                        (
                            p.incentive_collector,
                            Forwarder::IncentiveCollector { pool: p.index },
                        ),
                    ]
                })
                .chain([
                    (
                        world.contracts.accounting_oracle,
                        Forwarder::AccountingOracle,
                    ),
                    (world.contracts.factory, Forwarder::Factory),
                ])
                .collect(),
            oracle_admin_slots,
            implementation_slots,
            vault_funds_slots,
            bgt_queue_slots,
        }
    }

    /// `contract`'s owner, read from OpenZeppelin's Ownable namespace rather than its `owner()` view: the account
    /// `_owner` holds, which is what ownership is, whatever the code under test reports.
    fn owner_in_storage(&self, world: &World, contract: Address) -> Address {
        Address::from_word(world.chain.storage(contract, OWNABLE_STORAGE.into()).into())
    }

    /// Who governs each governed contract: the factory, each StakingPool and StakingRewardsVault (the
    /// factory's owner), the WithdrawalVault (its owner), the AccountingOracle (its DEFAULT_ADMIN_ROLE members).
    fn governors(&self, world: &World) -> Vec<(Address, Vec<Address>)> {
        let c = &world.contracts;
        let factory_owner = self.owner_in_storage(world, c.factory);
        let vault_owner = self.owner_in_storage(world, c.withdrawal_vault);
        let oracle_admins: Vec<Address> = self
            .actors
            .iter()
            .zip(&self.oracle_admin_slots)
            .filter(|(_, slot)| !world.chain.storage(c.accounting_oracle, **slot).is_zero())
            .map(|(a, _)| *a)
            .collect();
        let mut out = vec![
            (c.factory, vec![factory_owner]),
            (c.withdrawal_vault, vec![vault_owner]),
            (c.accounting_oracle, oracle_admins),
        ];
        for p in &world.pools {
            out.push((p.staking_pool, vec![factory_owner]));
            out.push((p.rewards_vault, vec![factory_owner]));
        }
        out
    }

    /// The actors, in observation order.
    pub fn actors(&self) -> &[Address] {
        &self.actors
    }

    /// This observer, running views as `mode` says.
    pub fn with_mode(mut self, mode: ObserveMode) -> Self {
        self.mode = mode;
        self
    }

    /// How this observer runs views.
    pub fn mode(&self) -> ObserveMode {
        self.mode
    }

    /// How often views were reused so far (zeros in [`ObserveMode::Full`]).
    pub fn cache_stats(&self) -> CacheStats {
        self.cache.lock().stats()
    }

    /// The differences paranoid mode found so far (at most [`MAX_MISMATCHES`]), each naming the first field
    /// that differed.
    pub fn mismatches(&self) -> Vec<String> {
        self.mismatches.lock().clone()
    }

    /// Observes `world`.
    pub fn observe(&self, world: &World) -> Observation {
        let incremental = || {
            let mut cache = self.cache.lock();
            if let Some(observation) = cache.unchanged(&world.chain) {
                return observation;
            }
            cache.begin(&world.chain);
            let observation = self.observe_with(world, Some(&mut cache));
            cache.remember(&world.chain, &observation);
            observation
        };
        match self.mode {
            ObserveMode::Full => self.observe_with(world, None),
            ObserveMode::Incremental => incremental(),
            ObserveMode::Paranoid => {
                let incremental = incremental();
                let full = self.observe_with(world, None);
                if incremental != full {
                    let mut m = self.mismatches.lock();
                    if m.len() < MAX_MISMATCHES {
                        m.push(first_difference(&full, &incremental));
                    }
                }
                full
            }
        }
    }

    fn observe_with(&self, world: &World, cache: Option<&mut cache::ViewCache>) -> Observation {
        let reads = Reads::new(world, cache);
        let c = &world.contracts;
        // The factory's, shared by every pool: read once.
        let protocol_fee_recipient: Address = reads.view(
            c.factory,
            IStakingPoolContractsFactory::protocolFeeRecipientCall {},
        );
        let pools = world
            .pools
            .iter()
            .map(|p| {
                reads.pool(
                    (p.staking_pool, p.smart_operator, protocol_fee_recipient),
                    || self.observe_pool(world, &reads, p, protocol_fee_recipient),
                )
            })
            .collect();
        // Through the recorder: a reverting count is a finding, not "no requests".
        let count: u64 = reads
            .view(c.withdrawal_vault, IWithdrawalVault::requestCountCall {})
            .saturating_to();
        let requests = (1..=count)
            .map(|id| {
                let r = reads.view(
                    c.withdrawal_vault,
                    IWithdrawalVault::getRequestCall {
                        requestId: U256::from(id),
                    },
                );
                let finalized = reads.view(
                    c.withdrawal_vault,
                    IWithdrawalVault::isFinalizedCall {
                        requestId: U256::from(id),
                    },
                );
                RequestObservation {
                    pool: self.pubkey_pool.get(&keccak256(&r.pubkey)).copied(),
                    user: r.user,
                    assets: r.assetsRequested,
                    shares: r.sharesBurnt,
                    block: r.requestBlock.saturating_to(),
                    finalized,
                    owner: Address::from_word(
                        world
                            .chain
                            .storage(c.withdrawal_vault, erc721_owner_slot(U256::from(id)))
                            .into(),
                    ),
                }
            })
            .collect();
        // The consensus layer's queue (a stand-in, not under test): what the vault asked it for.
        let cl_count: u64 = reads
            .view(
                c.withdrawal_requests,
                IWithdrawalRequests::requestCountCall {},
            )
            .saturating_to();
        let cl_requests = (0..cl_count)
            .map(|index| {
                let r = reads.view(
                    c.withdrawal_requests,
                    IWithdrawalRequests::getRequestCall {
                        index: U256::from(index),
                    },
                );
                ClRequestObservation {
                    source: r.source,
                    pool: self.pubkey_pool.get(&keccak256(&r.pubkey)).copied(),
                    amount_gwei: r.amountGwei,
                }
            })
            .collect();
        let new_pool = self.observe_new_pool(world, &reads);
        Observation {
            block: world.chain.block_number(),
            pools,
            new_pool,
            actor_bera: self
                .actors
                .iter()
                .map(|a| world.chain.balance(*a))
                .collect(),
            governance: self.owner_in_storage(world, c.factory),
            governors: self.governors(world),
            feeders: self
                .feeder_slots
                .iter()
                .map(|slot| !world.chain.storage(c.accounting_oracle, *slot).is_zero())
                .collect(),
            oracle_bounds: OracleBounds {
                max_increase_bps: reads.view(
                    c.accounting_oracle,
                    IAccountingOracle::maxIncreaseBpsCall {},
                ),
                max_decrease_bps: reads.view(
                    c.accounting_oracle,
                    IAccountingOracle::maxDecreaseBpsCall {},
                ),
            },
            bgt_delays: BgtDelays {
                activate: reads.view(c.bgt, IBGT::activateBoostDelayCall {}),
                drop: reads.view(c.bgt, IBGT::dropBoostDelayCall {}),
            },
            withdrawal_vault_balance: world.chain.balance(c.withdrawal_vault),
            forwarders: self
                .forwarders
                .iter()
                .map(|&(contract, forwarder)| ForwarderBalance {
                    contract,
                    forwarder,
                    balance: world.chain.balance(contract),
                })
                .collect(),
            withdrawal_vault_paused: paused_in_storage(world, c.withdrawal_vault),
            request_token_symbol: short_string(
                world
                    .chain
                    .storage(c.withdrawal_vault, erc721_symbol_slot()),
            )
            .unwrap_or_else(|| "<long>".to_string()),
            implementations: self
                .implementation_slots
                .iter()
                .map(|&(holder, slot)| ImplementationSlot {
                    holder,
                    points_to: Address::from_word(world.chain.storage(holder, slot).into()),
                })
                .collect(),
            requests,
            cl_requests,
            cl_requests_processed: cl_count.saturating_sub(
                reads
                    .view(
                        c.withdrawal_requests,
                        IWithdrawalRequests::pendingCountCall {},
                    )
                    .saturating_to(),
            ) as usize,
            withdrawal_vault: c.withdrawal_vault,
            cl_request_fees: world.chain.balance(c.withdrawal_requests),
            cl_request_fee: reads.view(c.withdrawal_requests, IWithdrawalRequests::feeCall {}),
            actors: self.actors.clone(),
            outsiders: self.outsiders.clone(),
            contract_actors: self.contract_actors.clone(),
            other_holders: self.other_holders.clone(),
            view_failures: reads.failures.into_inner(),
        }
    }

    /// The pool a campaign may deploy: what the factory keeps for its pubkey, and once its StakingPool has code,
    /// whether it is active and its supply. Whether each proxy is initialized is read from OpenZeppelin's
    /// `Initializable` namespace, not from a view of the code under test.
    fn observe_new_pool(&self, world: &World, reads: &Reads) -> NewPoolObservation {
        let c = &world.contracts;
        let new = &world.new_pool;
        let core = crate::world::core_addresses(&reads.view(
            c.factory,
            IStakingPoolContractsFactory::getCoreContractsCall {
                pubkey: new.pubkey.clone(),
            },
        ));
        let has_code = core.all().map(|a| !a.is_zero() && world.chain.has_code(a));
        let initialized = std::array::from_fn(|k| {
            if has_code[k] {
                world
                    .chain
                    .storage(core.all()[k], INITIALIZABLE_STORAGE.into())
                    .as_limbs()[0]
            } else {
                0
            }
        });
        // The StakingPool is second in `CoreAddresses::all`.
        let deployed = has_code[1];
        let last_report = reads.view(
            c.accounting_oracle,
            IAccountingOracle::getLastReportCall {
                pubkey: new.pubkey.clone(),
            },
        );
        NewPoolObservation {
            predicted: new.predicted,
            cl_operator: reads.view(
                c.beacon_deposit,
                IBeaconDeposit::getOperatorCall {
                    pubkey: new.pubkey.clone(),
                },
            ),
            initialized,
            active: deployed && reads.view(core.staking_pool, IStakingPool::isActiveCall {}),
            supply: if deployed {
                reads.view(core.staking_pool, IERC20::totalSupplyCall {})
            } else {
                U256::ZERO
            },
            reported: last_report.balanceWei,
            reported_ref_slot: last_report.refSlot,
            core,
        }
    }

    /// Whose validator `pubkey` is.
    fn pubkey_of(&self, pubkey: &[u8]) -> PubkeyOf {
        let hash = keccak256(pubkey);
        match self.pubkey_pool.get(&hash) {
            Some(pool) => PubkeyOf::Pool(*pool),
            None if hash == self.new_pool_key => PubkeyOf::NewPool,
            None => PubkeyOf::Other,
        }
    }

    /// One pool, every value through `reads` (views, slots and balances alike), so that it can be kept whole
    /// ([`Reads::pool`]).
    fn observe_pool(
        &self,
        world: &World,
        reads: &Reads<'_, '_>,
        p: &crate::world::Pool,
        protocol_fee_recipient: Address,
    ) -> PoolObservation {
        let c = &world.contracts;
        let sp = p.staking_pool;
        let op = p.smart_operator;
        // The rates the fees are checked against come from where SPEC sets them (BeraChef's active commission, the
        // operator's protocol fee and the factory's recipient), not from `feeRates()`, which the pool charges with.
        let commission = reads.view(
            c.bera_chef,
            IBeraChef::getValCommissionOnIncentiveTokensCall {
                valPubkey: p.pubkey.clone(),
            },
        );
        let protocol_fee_bps: U256 = reads.view(op, ISmartOperator::protocolFeePercentageCall {});
        let queued = reads.view(
            c.bera_chef,
            IBeraChef::getValQueuedCommissionOnIncentiveTokensCall {
                valPubkey: p.pubkey.clone(),
            },
        );
        let report = reads.view(
            c.accounting_oracle,
            IAccountingOracle::getLastReportCall {
                pubkey: p.pubkey.clone(),
            },
        );
        let total_supply = reads.view(sp, IERC20::totalSupplyCall {});
        let total_assets = reads.view(sp, IStBERA::totalAssetsCall {});
        let probe = probe_for(total_supply, total_assets);
        PoolObservation {
            staking_pool: sp,
            rewards_vault: p.rewards_vault,
            incentive_collector: p.incentive_collector,
            total_supply,
            total_assets,
            total_deposits: reads.view(sp, IStakingPool::totalDepositsCall {}),
            buffered_assets: reads.view(sp, IStakingPool::bufferedAssetsCall {}),
            pending_rewards_net: reads.view(sp, IStakingPool::pendingRewardsNetOfFeesCall {}),
            rebaseable_bgt: reads.view(op, ISmartOperator::rebaseableBgtAmountCall {}),
            dead_shares: reads.view(sp, IStakingPool::deadSharesCall {}),
            frozen_total_assets: reads.view(sp, IStakingPool::frozenTotalAssetsCall {}),
            min_effective_balance: reads.view(sp, IStakingPool::minEffectiveBalanceCall {}),
            min_effective_balance_reached: reads
                .view(sp, IStakingPool::minEffectiveBalanceReachedCall {}),
            is_active: reads.view(sp, IStakingPool::isActiveCall {}),
            is_fully_exited: reads.view(sp, IStakingPool::isFullyExitedCall {}),
            paused: reads.paused(sp),
            pool_balance: reads.balance(sp),
            rewards_vault_balance: reads.balance(p.rewards_vault),
            precharged: reads.view(
                p.rewards_vault,
                IStakingRewardsVault::prechargedAmountCall {},
            ),
            operator_bgt: reads.view(c.bgt, IBGT::balanceOfCall { account: op }),
            last_accrued_bgt: reads.view(op, ISmartOperator::lastAccruedBgtBalanceCall {}),
            commission_bps: U256::from(commission),
            queued_commission_bps: U256::from(queued.commissionRate),
            protocol_fee_bps,
            effective_protocol_fee_bps: if protocol_fee_recipient.is_zero() {
                U256::ZERO
            } else {
                protocol_fee_bps
            },
            protocol_fee_recipient,
            cl_balance: reads.view(
                c.beacon_deposit,
                IBeaconDeposit::validatorBalanceCall {
                    pubkey: p.pubkey.clone(),
                },
            ),
            pending_cl_withdrawals: reads.view(sp, IStakingPool::pendingClWithdrawalsCall {}),
            expected_cl_balance: reads.view(sp, IStakingPool::expectedClBalanceCall {}),
            cl_withdrawals_requested: reads.view(sp, IStakingPool::clWithdrawalsRequestedCall {}),
            cl_withdrawn: reads.view(
                c.beacon_deposit,
                IBeaconDeposit::withdrawnAmountCall {
                    pubkey: p.pubkey.clone(),
                },
            ),
            vault_funds: reads.view(
                c.withdrawal_vault,
                IWithdrawalVault::poolFundsCall {
                    pubkey: p.pubkey.clone(),
                },
            ),
            vault_funds_booked: reads
                .storage(c.withdrawal_vault, self.vault_funds_slots[p.index].0),
            vault_withdrawn_attributed: reads
                .storage(c.withdrawal_vault, self.vault_funds_slots[p.index].1),
            vault_owed: reads.view(
                c.withdrawal_vault,
                IWithdrawalVault::poolOwedCall {
                    pubkey: p.pubkey.clone(),
                },
            ),
            last_report: LastReport {
                balance: report.balanceWei,
                ref_slot: report.refSlot,
            },
            default_shares_recipient: reads.view(sp, IStakingPool::defaultSharesRecipientCall {}),
            share_balances: self
                .balance_slots
                .iter()
                .map(|slot| reads.storage(sp, *slot))
                .collect(),
            other_share_balances: self
                .other_balance_slots
                .iter()
                .fold(U256::ZERO, |acc, slot| {
                    acc.saturating_add(reads.storage(sp, *slot))
                }),
            roles: self
                .role_slots
                .iter()
                .map(|slots| {
                    slots
                        .iter()
                        .map(|slot| !reads.storage(op, *slot).is_zero())
                        .collect()
                })
                .collect(),
            previews: Previews {
                probe,
                deposit: reads.view(sp, IStBERA::previewDepositCall { assets: probe }),
                mint: reads.view(sp, IStBERA::previewMintCall { shares: probe }),
                withdraw: reads.view(sp, IStBERA::previewWithdrawCall { assets: probe }),
                redeem: reads.view(sp, IStBERA::previewRedeemCall { shares: probe }),
            },
            conversions: poolguard_invariants::observation::Conversions {
                to_shares: reads.view(sp, IStBERA::convertToSharesCall { assets: probe }),
                to_assets: reads.view(sp, IStBERA::convertToAssetsCall { shares: probe }),
            },
            commission_queued_block: u64::from(queued.blockNumberLast),
            queued_allocation: {
                let q = reads.view(
                    c.bera_chef,
                    IBeraChef::getQueuedRewardAllocationCall {
                        valPubkey: p.pubkey.clone(),
                    },
                );
                QueuedAllocation {
                    start_block: q.startBlock,
                    weights: q.count,
                }
            },
            operator_unboosted_bgt: reads.view(c.bgt, IBGT::unboostedBalanceOfCall { account: op }),
            payout_amount: reads.view(
                p.incentive_collector,
                IIncentiveCollector::payoutAmountCall {},
            ),
            queued_payout_amount: reads.view(
                p.incentive_collector,
                IIncentiveCollector::queuedPayoutAmountCall {},
            ),
            collector_incentive_tokens: reads.view(
                c.incentive_token,
                IERC20::balanceOfCall {
                    account: p.incentive_collector,
                },
            ),
            operator_staker_reward: reads.view(
                c.bgt,
                IBGT::stakerRewardsCall {
                    account: p.smart_operator,
                },
            ),
            rewards_vault_tokens: reads.view(
                c.incentive_token,
                IERC20::balanceOfCall {
                    account: p.rewards_vault,
                },
            ),
            boost_queue: reads.bgt_queue(self.bgt_queue_slots[p.index][0]),
            drop_queue: reads.bgt_queue(self.bgt_queue_slots[p.index][1]),
            boostees: U256::from(reads.view(
                c.bgt,
                IBGT::boosteesCall {
                    pubkey: p.pubkey.clone(),
                },
            )),
        }
    }

    /// The record of an executed step, completed with the suite's events decoded from its logs and the suite
    /// function its transaction called.
    pub fn step_record(&self, world: &World, executed: Executed) -> StepRecord {
        self.step_record_and_logs(world, executed).0
    }

    /// [`Observer::step_record`], and the call's raw logs moved out of `executed` (no copy on the step loop).
    pub fn step_record_and_logs(
        &self,
        world: &World,
        executed: Executed,
    ) -> (StepRecord, Vec<Log>) {
        let events = self.events(world, executed.logs());
        let call = self.suite_call(world, &executed.planned);
        let request_ids = finalized_ids(world, &executed.planned);
        let planned = &executed.planned;
        let setting = planned
            .to
            .and_then(|to| self.setting(world, planned.from, to, &planned.data, planned.value));
        let logs = executed.outcome.map(|o| o.logs).unwrap_or_default();
        let record = StepRecord {
            events,
            call,
            request_ids,
            setting,
            ..executed.record
        };
        (record, logs)
    }

    /// What `planned` calls, when it is one of [`SuiteFunction`]'s: its callee and selector matched against the
    /// suite's bindings, and the pool from the validator pubkey its arguments name.
    pub fn suite_call(&self, world: &World, planned: &Planned) -> Option<SuiteCall> {
        self.suite_call_to(world, planned.to?, &planned.data)
    }

    /// What a call of `to` with `data` is, when it is one of [`SuiteFunction`]'s.
    fn suite_call_to(&self, world: &World, to: Address, data: &[u8]) -> Option<SuiteCall> {
        use IWithdrawalVault::{
            finalizeWithdrawalRequestCall, finalizeWithdrawalRequestsCall, requestRedeemCall,
            requestWithdrawalCall,
        };
        let c = &world.contracts;
        if let Some(&pool) = self.pool_of.get(&to) {
            // A deposit: `submit(receiver)` or a plain transfer (`receive()`) to the pool's StakingPool.
            let deposit = to == world.pools[pool].staking_pool
                && (data.is_empty() || data.starts_with(&IStakingPool::submitCall::SELECTOR));
            let receiver = IStakingPool::submitCall::abi_decode(data)
                .ok()
                .map(|call| call.receiver);
            return deposit.then_some(SuiteCall {
                function: SuiteFunction::Deposit,
                pool: Some(pool),
                amount: None,
                report: None,
                max_fee: None,
                receiver,
            });
        }
        let selector: [u8; 4] = data.get(..4)?.try_into().ok()?;
        let pool_of = |pubkey: Option<Bytes>| {
            pubkey.and_then(|key| self.pubkey_pool.get(&keccak256(&key)).copied())
        };
        let gwei = U256::from(1_000_000_000u64);
        let mut report = None;
        let mut max_fee = None;
        let (function, pool, amount) = if to == c.withdrawal_vault {
            match selector {
                requestWithdrawalCall::SELECTOR => {
                    let call = requestWithdrawalCall::abi_decode(data).ok();
                    let amount = call.as_ref().and_then(|c| c.amountGwei.checked_mul(gwei));
                    max_fee = call.as_ref().map(|c| c.maxFee);
                    (
                        SuiteFunction::RequestWithdrawal,
                        pool_of(call.map(|c| c.pubkey)),
                        amount,
                    )
                }
                requestRedeemCall::SELECTOR => {
                    let call = requestRedeemCall::abi_decode(data).ok();
                    let amount = call.as_ref().map(|c| c.shares);
                    max_fee = call.as_ref().map(|c| c.maxFee);
                    (
                        SuiteFunction::RequestRedeem,
                        pool_of(call.map(|c| c.pubkey)),
                        amount,
                    )
                }
                finalizeWithdrawalRequestCall::SELECTOR => {
                    (SuiteFunction::FinalizeWithdrawalRequest, None, None)
                }
                finalizeWithdrawalRequestsCall::SELECTOR => {
                    (SuiteFunction::FinalizeWithdrawalRequests, None, None)
                }
                IWithdrawalVault::sendPendingExitRequestCall::SELECTOR => {
                    let call = IWithdrawalVault::sendPendingExitRequestCall::abi_decode(data).ok();
                    max_fee = call.as_ref().map(|c| c.maxFee);
                    (
                        SuiteFunction::SendPendingExitRequest,
                        pool_of(call.map(|c| c.pubkey)),
                        None,
                    )
                }
                _ => return None,
            }
        } else if to == c.accounting_oracle
            && selector == IAccountingOracle::updateTotalDepositsCall::SELECTOR
        {
            let call = IAccountingOracle::updateTotalDepositsCall::abi_decode(data).ok();
            report = call.as_ref().map(|call| ReportArgs {
                balance: call.balanceGwei.checked_mul(gwei),
                ref_slot: call.refSlot,
            });
            (
                SuiteFunction::UpdateTotalDeposits,
                pool_of(call.map(|call| call.pubkey)),
                None,
            )
        } else if to == c.beacon_deposit
            && selector == IBeaconDeposit::penalizeValidatorCall::SELECTOR
        {
            let call = IBeaconDeposit::penalizeValidatorCall::abi_decode(data).ok();
            (
                SuiteFunction::PenalizeValidator,
                pool_of(call.map(|call| call.pubkey)),
                None,
            )
        } else {
            return None;
        };
        Some(SuiteCall {
            function,
            pool,
            amount,
            report,
            max_fee,
            receiver: None,
        })
    }

    /// The [`Setting`] a call of `to` with `data`, sending `value`, makes, when it is one whose outcome SPEC
    /// states (LIVE-007).
    pub fn setting(
        &self,
        world: &World,
        from: Address,
        to: Address,
        data: &[u8],
        value: U256,
    ) -> Option<Setting> {
        use IStakingPoolContractsFactory as Factory;
        let c = &world.contracts;
        let pool_of_callee = self.pool_of.get(&to).copied();
        if let Some(pool) = pool_of_callee {
            // A plain transfer deposits (`receive`), like `submit`.
            let deposit = data.is_empty()
                || data.get(..4) == Some(IStakingPool::submitCall::SELECTOR.as_slice());
            if to == world.pools[pool].staking_pool && deposit && !value.is_zero() {
                return Some(Setting::Collect {
                    pool,
                    deposit: true,
                });
            }
        }
        let selector: [u8; 4] = data.get(..4)?.try_into().ok()?;
        // The beacon a kind of pool proxy points to, read from the first pool's proxy: the factory's own views
        // are code under test.
        let beacon_of = |proxy: fn(&crate::world::Pool) -> Address| {
            world.pools.first().map(|p| {
                Address::from_word(world.chain.storage(proxy(p), ERC1967_BEACON.into()).into())
            })
        };
        let copies = &c.upgrade_copies;
        type ProxyOf = fn(&crate::world::Pool) -> Address;
        // The factory's four `upgrade*BeaconImpl`: the proxy kind whose beacon each upgrades, and the world's builds
        // of that kind (a kind with no upgrade copy lists its deployed build twice). Matched only for factory calls.
        let beacon_upgrade = |selector: [u8; 4]| -> Option<(ProxyOf, [Address; 2])> {
            Some(match selector {
                Factory::upgradeStakingPoolBeaconImplCall::SELECTOR => (
                    |p| p.staking_pool,
                    [c.staking_pool_impl, copies.staking_pool],
                ),
                Factory::upgradeSmartOperatorBeaconImplCall::SELECTOR => (
                    |p| p.smart_operator,
                    [c.smart_operator_impl, copies.smart_operator],
                ),
                Factory::upgradeStakingRewardsVaultBeaconImplCall::SELECTOR => {
                    (|p| p.rewards_vault, [c.rewards_vault_impl; 2])
                }
                Factory::upgradeIncentiveCollectorBeaconImplCall::SELECTOR => {
                    (|p| p.incentive_collector, [c.incentive_collector_impl; 2])
                }
                _ => return None,
            })
        };
        let upgrade = |holder: Option<Address>, implementation: Address, builds: &[Address]| {
            Some(Setting::Upgrade {
                holder: holder?,
                implementation,
                same_kind: builds.contains(&implementation),
            })
        };
        if let Some(pool) = pool_of_callee {
            let p = &world.pools[pool];
            if to == p.staking_pool {
                return match selector {
                    IStakingPool::pauseCall::SELECTOR => Some(Setting::PausePool { pool }),
                    IStakingPool::unpauseCall::SELECTOR => Some(Setting::UnpausePool { pool }),
                    IStakingPool::processRewardsCall::SELECTOR => Some(Setting::Collect {
                        pool,
                        deposit: false,
                    }),
                    IStakingPool::setMinEffectiveBalanceCall::SELECTOR => {
                        let call =
                            IStakingPool::setMinEffectiveBalanceCall::abi_decode(data).ok()?;
                        Some(Setting::MinEffectiveBalance {
                            pool,
                            value: call.value,
                        })
                    }
                    _ => None,
                };
            }
            if to == p.rewards_vault {
                let call = IStakingRewardsVault::recoverERC20Call::abi_decode(data).ok()?;
                return Some(Setting::RecoverTokens {
                    pool,
                    incentive_token: call.token == c.incentive_token,
                    to: call.to,
                    to_itself: call.to == p.rewards_vault,
                    amount: call.amount,
                });
            }
            if to == p.incentive_collector {
                let call = IIncentiveCollector::claimCall::abi_decode(data).ok()?;
                return Some(Setting::ClaimIncentives {
                    pool,
                    claimer: from,
                    value,
                    incentive_token: call.tokens.contains(&c.incentive_token),
                    other_tokens: call.tokens.iter().any(|t| *t != c.incentive_token),
                });
            }
            if to != p.smart_operator {
                return None;
            }
            use ISmartOperator as Op;
            return match selector {
                Op::queueBoostCall::SELECTOR => Some(Setting::QueueBoost { pool }),
                Op::activateBoostCall::SELECTOR => Some(Setting::ActivateBoost { pool }),
                Op::dropBoostCall::SELECTOR => Some(Setting::DropBoost { pool }),
                Op::claimBgtStakerRewardCall::SELECTOR => Some(Setting::ClaimStakerReward { pool }),
                Op::queueValCommissionCall::SELECTOR => {
                    let call = Op::queueValCommissionCall::abi_decode(data).ok()?;
                    Some(Setting::QueueCommission {
                        pool,
                        bps: U256::from(call.bps),
                    })
                }
                Op::setProtocolFeePercentageCall::SELECTOR => {
                    let call = Op::setProtocolFeePercentageCall::abi_decode(data).ok()?;
                    Some(Setting::ProtocolFee {
                        pool,
                        bps: call.bps,
                    })
                }
                Op::queueIncentiveCollectorPayoutAmountChangeCall::SELECTOR => {
                    let call =
                        Op::queueIncentiveCollectorPayoutAmountChangeCall::abi_decode(data).ok()?;
                    Some(Setting::QueuePayout {
                        pool,
                        amount: call.newPayoutAmount,
                    })
                }
                Op::redeemBGTCall::SELECTOR => {
                    let call = Op::redeemBGTCall::abi_decode(data).ok()?;
                    Some(Setting::RedeemBgt {
                        pool,
                        amount: call.amount,
                    })
                }
                Op::queueRewardsAllocationCall::SELECTOR => {
                    let call = Op::queueRewardsAllocationCall::abi_decode(data).ok()?;
                    Some(Setting::QueueRewardsAllocation {
                        pool,
                        start_block: U256::from(call.startBlock),
                        weights: call
                            .weights
                            .iter()
                            .map(|w| (w.receiver, U256::from(w.percentageNumerator)))
                            .collect(),
                    })
                }
                _ => None,
            };
        }
        match selector {
            IWithdrawalVault::pauseCall::SELECTOR if to == c.withdrawal_vault => {
                Some(Setting::PauseVault)
            }
            Factory::deployStakingPoolContractsCall::SELECTOR if to == c.factory => {
                let call = Factory::deployStakingPoolContractsCall::abi_decode(data).ok()?;
                Some(Setting::DeployPool {
                    pubkey: self.pubkey_of(&call.pubkey),
                    value,
                    credentials_ok: call.credentials
                        == crate::world::withdrawal_credentials(c.withdrawal_vault),
                    zero_account: call.validatorAdmin.is_zero()
                        || call.defaultSharesRecipient.is_zero(),
                })
            }
            Factory::activateStakingPoolCall::SELECTOR if to == c.factory => {
                let call = Factory::activateStakingPoolCall::abi_decode(data).ok()?;
                Some(Setting::ActivatePool {
                    pubkey: self.pubkey_of(&call.pubkey),
                })
            }
            IWithdrawalVault::unpauseCall::SELECTOR if to == c.withdrawal_vault => {
                Some(Setting::UnpauseVault)
            }
            IAccountingOracle::updateTotalDepositsCall::SELECTOR if to == c.accounting_oracle => {
                let call = IAccountingOracle::updateTotalDepositsCall::abi_decode(data).ok()?;
                let balance = call.balanceGwei.checked_mul(U256::from(1_000_000_000u64))?;
                match self.pubkey_of(&call.pubkey) {
                    PubkeyOf::Pool(pool) => Some(Setting::OracleReport {
                        pool,
                        balance,
                        ref_slot: call.refSlot,
                    }),
                    PubkeyOf::NewPool => Some(Setting::NewPoolReport {
                        balance,
                        ref_slot: call.refSlot,
                    }),
                    PubkeyOf::Other => None,
                }
            }
            IAccountingOracle::setBoundsCall::SELECTOR if to == c.accounting_oracle => {
                let call = IAccountingOracle::setBoundsCall::abi_decode(data).ok()?;
                Some(Setting::OracleBounds {
                    bounds: OracleBounds {
                        max_increase_bps: call.maxIncreaseBps,
                        max_decrease_bps: call.maxDecreaseBps,
                    },
                })
            }
            Factory::setProtocolFeeRecipientCall::SELECTOR if to == c.factory => {
                let call = Factory::setProtocolFeeRecipientCall::abi_decode(data).ok()?;
                Some(Setting::ProtocolFeeRecipient {
                    recipient: call.recipient,
                })
            }
            _ if to == c.factory && beacon_upgrade(selector).is_some() => {
                let (proxy, builds) = beacon_upgrade(selector)?;
                // The four share one argument list: any one's decoder reads it.
                let call =
                    Factory::upgradeStakingPoolBeaconImplCall::abi_decode_raw(data.get(4..)?)
                        .ok()?;
                upgrade(beacon_of(proxy), call.newImplementation, &builds)
            }
            IUUPS::upgradeToAndCallCall::SELECTOR => {
                let call = IUUPS::upgradeToAndCallCall::abi_decode(data).ok()?;
                let builds = if to == c.factory {
                    [c.factory_impl, copies.factory]
                } else if to == c.withdrawal_vault {
                    [c.withdrawal_vault_impl, copies.withdrawal_vault]
                } else if to == c.accounting_oracle {
                    [c.accounting_oracle_impl, copies.accounting_oracle]
                } else {
                    return None;
                };
                // An initializer call along with the upgrade has effects of its own: only a bare upgrade is judged.
                if !call.data.is_empty() {
                    return None;
                }
                upgrade(Some(to), call.newImplementation, &builds)
            }
            IOwnable::transferOwnershipCall::SELECTOR
            | IOwnable::renounceOwnershipCall::SELECTOR
                if to == c.factory || to == c.withdrawal_vault =>
            {
                let renounce = selector == IOwnable::renounceOwnershipCall::SELECTOR;
                let new_owner = if renounce {
                    Address::ZERO
                } else {
                    IOwnable::transferOwnershipCall::abi_decode(data)
                        .ok()?
                        .newOwner
                };
                Some(Setting::TransferOwnership {
                    contract: to,
                    new_owner,
                    renounce,
                })
            }
            _ => None,
        }
    }

    /// Decodes the suite's events among `logs`.
    pub fn events(&self, world: &World, logs: &[Log]) -> StepEvents {
        let mut e = StepEvents::default();
        let c = &world.contracts;
        for log in logs {
            let topic = log.topics().first().copied().unwrap_or_default();
            if topic == UPGRADED {
                e.upgrades += 1;
                continue;
            }
            if world.actors.is_contract(log.address) {
                if let Ok(ev) = IContractActor::Reentered::decode_log_data(&log.data) {
                    let point = world.entry_point(ev.target, &ev.data);
                    e.reentries.push(Reentry {
                        by: log.address,
                        call: self.suite_call_to(world, ev.target, &ev.data),
                        entry: point.map(|p| p.key()),
                        permissionless: point.is_some_and(|p| p.permissionless.is_some()),
                        success: ev.success,
                        target: ev.target,
                        named: world.named_in(&ev.data),
                        role_op: world.role_op(ev.target, &ev.data),
                    });
                }
                continue;
            }
            if log.address == c.withdrawal_vault {
                if let Ok(ev) = IWithdrawalVault::WithdrawalRequested::decode_log_data(&log.data) {
                    e.requested.push(Requested {
                        id: ev.requestId,
                        pool: self.pubkey_pool.get(&keccak256(&ev.pubkey)).copied(),
                        user: ev.user,
                        assets: ev.assets,
                        shares: ev.shares,
                    });
                } else if let Ok(ev) =
                    IWithdrawalVault::WithdrawalRequestFinalized::decode_log_data(&log.data)
                {
                    e.finalized.push(Finalization {
                        id: ev.requestId.saturating_to(),
                        user: ev.user,
                        assets: ev.assets,
                    });
                }
                continue;
            }
            if log.address == c.incentive_token {
                // The chain's incentive token (a stand-in): where a claim or a recovery sent the tokens.
                if let Ok(ev) = Transfer::decode_log_data(&log.data) {
                    e.incentive_transfers.push(TokenTransfer {
                        from: ev.from,
                        to: ev.to,
                        amount: ev.value,
                    });
                }
                continue;
            }
            if log.address == c.bgt {
                // BGT reaches an operator only by the chain's mint: what it earned, by the chain's account.
                if let Ok(ev) = IBGT::Minted::decode_log_data(&log.data) {
                    if let Some(&i) = self.pool_of.get(&ev.to) {
                        if world.pools[i].smart_operator == ev.to {
                            e.bgt_minted.push(PoolAmount {
                                pool: i,
                                amount: ev.amount,
                            });
                        }
                    }
                }
                continue;
            }
            if log.address == c.factory {
                if let Ok(ev) =
                    IStakingPoolContractsFactory::ProtocolFeeRecipientUpdated::decode_log_data(
                        &log.data,
                    )
                {
                    e.announced.push(Setting::ProtocolFeeRecipient {
                        recipient: ev.recipient,
                    });
                } else if let Ok(ev) =
                    IStakingPoolContractsFactory::StakingPoolContractsDeployed::decode_log_data(
                        &log.data,
                    )
                {
                    e.pools_deployed.push(PoolDeployed {
                        pubkey: self.pubkey_of(&ev.pubkey),
                        core: CoreAddresses {
                            smart_operator: ev.smartOperator,
                            staking_pool: ev.stakingPool,
                            rewards_vault: ev.stakingRewardsVault,
                            incentive_collector: ev.incentiveCollector,
                        },
                    });
                }
                continue;
            }
            if log.address == c.accounting_oracle {
                if let Ok(ev) = IAccountingOracle::BoundsUpdated::decode_log_data(&log.data) {
                    e.announced.push(Setting::OracleBounds {
                        bounds: OracleBounds {
                            max_increase_bps: ev.maxIncreaseBps,
                            max_decrease_bps: ev.maxDecreaseBps,
                        },
                    });
                }
                if let Ok(ev) = IAccountingOracle::TotalDepositsReported::decode_log_data(&log.data)
                {
                    if let Some(&i) = self.pubkey_pool.get(&keccak256(&ev.pubkey)) {
                        e.reports.push(AcceptedReport {
                            pool: i,
                            balance: ev.balanceGwei * U256::from(1_000_000_000u64),
                            ref_slot: ev.refSlot,
                        });
                    }
                }
                continue;
            }
            let Some(&i) = self.pool_of.get(&log.address) else {
                continue;
            };
            let d = &log.data;
            let amount = |amount: U256| PoolAmount { pool: i, amount };
            if let Ok(ev) = IStakingPool::MinEffectiveBalanceUpdated::decode_log_data(d) {
                e.announced.push(Setting::MinEffectiveBalance {
                    pool: i,
                    value: ev.minEffectiveBalance,
                });
            } else if let Ok(ev) = ISmartOperator::ProtocolFeePercentageUpdated::decode_log_data(d)
            {
                e.announced.push(Setting::ProtocolFee {
                    pool: i,
                    bps: ev.bps,
                });
            } else if let Ok(ev) = ISmartOperator::BGTRedeemed::decode_log_data(d) {
                e.announced.push(Setting::RedeemBgt {
                    pool: i,
                    amount: ev.amount,
                });
            } else if let Ok(ev) = IIncentiveCollector::PayoutAmountChangeQueued::decode_log_data(d)
            {
                e.announced.push(Setting::QueuePayout {
                    pool: i,
                    amount: ev.newPayoutAmount,
                });
            } else if let Ok(ev) = IIncentiveCollector::IncentivesClaimed::decode_log_data(d) {
                e.claims.push(Claimed {
                    pool: i,
                    claimer: ev.claimer,
                    payout: ev.payout,
                });
            }
            if let Ok(ev) = IStakingPool::Deposit::decode_log_data(d) {
                e.deposits.push(Deposit {
                    pool: i,
                    sender: ev.sender,
                    receiver: ev.receiver,
                    assets: ev.assets,
                    shares: ev.shares,
                });
            } else if let Ok(ev) = IStakingPool::FeeSharesMinted::decode_log_data(d) {
                e.fee_mints.push(FeeMint {
                    pool: i,
                    recipient: ev.recipient,
                    shares: ev.shares,
                });
            } else if let Ok(ev) = IStakingPool::WithdrawalNotified::decode_log_data(d) {
                e.burns.push(Burn {
                    pool: i,
                    user: ev.user,
                    assets: ev.assets,
                    shares: ev.shares,
                    from_buffer: ev.fromBuffer,
                    from_cl: ev.fromConsensusLayer,
                });
            } else if let Ok(ev) = IStakingPool::RewardsCollected::decode_log_data(d) {
                e.rewards.push(amount(ev.chargeable));
            } else if let Ok(ev) = IStakingPool::TotalDepositsUpdated::decode_log_data(d) {
                e.deposits_updated.push(DepositsUpdated {
                    pool: i,
                    total_deposits: ev.totalDeposits,
                    reward: ev.reward,
                    penalty: ev.penalty,
                });
                if !ev.reward.is_zero() {
                    e.rewards.push(amount(ev.reward));
                }
                if !ev.penalty.is_zero() {
                    e.penalties.push(amount(ev.penalty));
                }
            } else if let Ok(ev) = IStakingPool::FullExitTriggered::decode_log_data(d) {
                e.full_exits.push(FullExit {
                    pool: i,
                    reason: ev.reason,
                    frozen_total_assets: ev.frozenTotalAssets,
                });
            } else if let Ok(ev) = ISmartOperator::BGTFeesAccrued::decode_log_data(d) {
                e.rewards.push(amount(ev.earned));
                e.bgt_accrued.push(BgtAccrual {
                    pool: i,
                    earned: ev.earned,
                    commission_shares: ev.commissionShares,
                    protocol_shares: ev.protocolShares,
                });
            } else if let Ok(ev) = Transfer::decode_log_data(d) {
                if !ev.from.is_zero()
                    && !ev.to.is_zero()
                    && log.address == world.pools[i].staking_pool
                {
                    e.share_transfers.push(ShareTransfer {
                        pool: i,
                        from: ev.from,
                        to: ev.to,
                        amount: ev.value,
                    });
                }
            }
        }
        e
    }
}

/// Whether `contract` is paused, read from OZ's Pausable namespace rather than its `paused()` view: the flag
/// `whenNotPaused` tests, not what the code under test reports about it.
fn paused_in_storage(world: &World, contract: Address) -> bool {
    paused_flag(world.chain.storage(contract, PAUSABLE_STORAGE.into()))
}

/// `_paused`, the first byte of the word at OZ's Pausable namespace.
fn paused_flag(word: U256) -> bool {
    !(word & U256::from(0xffu8)).is_zero()
}

alloy_sol_types::sol! {
    /// ERC-20 Transfer.
    event Transfer(address indexed from, address indexed to, uint256 value);
}

/// A plan's views from the observer's cache: most of them are the last observation's, still holding (a roll since
/// then changes no account). Paranoid mode runs each on the chain too and records any difference.
impl crate::world::Views for Observer {
    fn view(&self, chain: &Chain, to: Address, data: Bytes) -> Result<CallOutcome, EvmError> {
        let cached = |data| {
            let mut cache = self.cache.lock();
            cache.sync(chain);
            cache.view(chain, to, data)
        };
        match self.mode {
            ObserveMode::Full => chain.view(Address::ZERO, to, data),
            ObserveMode::Incremental => cached(data),
            ObserveMode::Paranoid => {
                let kept = cached(data.clone());
                let run = chain.view(Address::ZERO, to, data.clone());
                let answer = |r: &Result<CallOutcome, EvmError>| match r {
                    Ok(outcome) => Ok((outcome.success, outcome.output.clone())),
                    Err(e) => Err(e.to_string()),
                };
                if answer(&kept) != answer(&run) {
                    let mut m = self.mismatches.lock();
                    if m.len() < MAX_MISMATCHES {
                        m.push(format!(
                            "block {}: a plan's view of {to} with {data}: kept {:?}, run {:?}",
                            chain.block_number(),
                            answer(&kept),
                            answer(&run)
                        ));
                    }
                }
                run
            }
        }
    }
}

/// How many paranoid-mode differences an [`Observer`] keeps.
pub const MAX_MISMATCHES: usize = 8;

/// State one observer keeps for itself: shared by reference between threads (behind a lock, taken once per
/// observation), not by clones, which start from the default.
#[derive(Debug, Default)]
struct PerObserver<T>(Mutex<T>);

impl<T: Default> Clone for PerObserver<T> {
    fn clone(&self) -> Self {
        PerObserver::default()
    }
}

impl<T> PerObserver<T> {
    fn lock(&self) -> std::sync::MutexGuard<'_, T> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The first line where the pretty-printed observations differ, with the block it was read at.
fn first_difference(full: &Observation, incremental: &Observation) -> String {
    let (a, b) = (format!("{full:#?}"), format!("{incremental:#?}"));
    let line = a
        .lines()
        .zip(b.lines())
        .find(|(x, y)| x != y)
        .map(|(x, y)| format!("full `{}`, incremental `{}`", x.trim(), y.trim()))
        .unwrap_or_else(|| "the observations differ in length".to_string());
    format!("block {}: {line}", full.block)
}

/// The views of one observation, with every one that failed: a view that reverts is reported (LIVE-002), not
/// read as zero in silence. The zero it still reads keeps the rest of the observation comparable.
struct Reads<'w, 'c> {
    world: &'w World,
    cache: Option<std::cell::RefCell<&'c mut cache::ViewCache>>,
    failures: std::cell::RefCell<Vec<String>>,
}

impl<'w, 'c> Reads<'w, 'c> {
    fn new(world: &'w World, cache: Option<&'c mut cache::ViewCache>) -> Self {
        Reads {
            world,
            cache: cache.map(std::cell::RefCell::new),
            failures: std::cell::RefCell::new(Vec::new()),
        }
    }

    /// Storage `slot` of `who`, read directly.
    fn storage(&self, who: Address, slot: U256) -> U256 {
        self.direct(crate::evm::ReadKey::Slot(who, slot))
    }

    /// `who`'s balance, read directly.
    fn balance(&self, who: Address) -> U256 {
        self.direct(crate::evm::ReadKey::Balance(who))
    }

    /// [`paused_in_storage`], read directly.
    fn paused(&self, contract: Address) -> bool {
        paused_flag(self.storage(contract, PAUSABLE_STORAGE.into()))
    }

    /// A queued boost or boost drop at the BGT stand-in, read from its slot ([`World::bgt_queue_slot`]).
    fn bgt_queue(&self, slot: U256) -> BgtQueue {
        let (block, amount) =
            crate::world::bgt_queue_entry(self.storage(self.world.contracts.bgt, slot));
        BgtQueue { block, amount }
    }

    /// `read`'s value, noted for the pool observation being made.
    fn direct(&self, read: crate::evm::ReadKey) -> U256 {
        let known = self
            .cache
            .as_ref()
            .and_then(|cache| cache.borrow_mut().note(read));
        known.unwrap_or_else(|| read.value(self.world.chain.db()))
    }

    /// Pool `key`'s observation: kept whole while every value it read holds, else made by `observe` (which must
    /// read everything through these `Reads`) and kept.
    fn pool(
        &self,
        key: cache::PoolKey,
        observe: impl FnOnce() -> PoolObservation,
    ) -> PoolObservation {
        let Some(cache) = &self.cache else {
            return observe();
        };
        if let Some((pool, failures)) = cache.borrow_mut().pool(&self.world.chain, key) {
            self.failures.borrow_mut().extend(failures);
            return pool;
        }
        let failed_before = self.failures.borrow().len();
        let pool = observe();
        let failures = self.failures.borrow()[failed_before..].to_vec();
        cache
            .borrow_mut()
            .keep_pool(&self.world.chain, key, &pool, failures);
        pool
    }

    fn view<C: SolCall>(&self, to: Address, call: C) -> C::Return
    where
        C::Return: Default,
    {
        let result = match &self.cache {
            None => self.world.view(to, &call),
            Some(cache) => cache
                .borrow_mut()
                .view(&self.world.chain, to, call.abi_encode().into())
                .map_err(crate::world::WorldError::from)
                .and_then(|outcome| self.world.decode_returns::<C>(&outcome)),
        };
        result.unwrap_or_else(|e| {
            self.failures.borrow_mut().push(format!(
                "{}.{}: {e}",
                self.world.label(to),
                C::SIGNATURE
            ));
            C::Return::default()
        })
    }
}

/// The request ids a finalize call of the WithdrawalVault names, decoded from `planned`'s calldata (LIVE-004);
/// empty for any other call, or calldata that does not decode.
fn finalized_ids(world: &World, planned: &Planned) -> Vec<u64> {
    use IWithdrawalVault::{finalizeWithdrawalRequestCall, finalizeWithdrawalRequestsCall};
    if planned.to != Some(world.contracts.withdrawal_vault) {
        return Vec::new();
    }
    let data = &planned.data[..];
    let id = |word: U256| u64::try_from(word).unwrap_or(u64::MAX);
    match data.get(..4).and_then(|s| <[u8; 4]>::try_from(s).ok()) {
        Some(finalizeWithdrawalRequestCall::SELECTOR) => {
            finalizeWithdrawalRequestCall::abi_decode(data)
                .map(|call| vec![id(call.requestId)])
                .unwrap_or_default()
        }
        Some(finalizeWithdrawalRequestsCall::SELECTOR) => {
            finalizeWithdrawalRequestsCall::abi_decode(data)
                .map(|call| call.requestIds.into_iter().map(id).collect())
                .unwrap_or_default()
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_probe_amount_is_picked_by_some_state_and_an_unchanged_state_keeps_its_own() {
        let mut picked = std::collections::BTreeSet::new();
        for supply in 0u64..8 {
            for assets in 0u64..8 {
                let (s, t) = (
                    U256::from(supply) * U256::from(10u64.pow(18)),
                    U256::from(assets * 7 + 1),
                );
                let probe = probe_for(s, t);
                assert_eq!(probe, probe_for(s, t), "the same state, the same amount");
                picked.insert(probe);
            }
        }
        let all: std::collections::BTreeSet<U256> = PROBES.iter().map(|p| U256::from(*p)).collect();
        assert_eq!(picked, all, "every amount is checked across states");
    }
}
