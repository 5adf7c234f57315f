//! Generation and mutation of action sequences: weighted op kinds, callers biased toward the holder of the
//! privilege an op needs (but drawn from every actor, so unauthorized calls are exercised too), amounts from
//! ranges that matter to the suite and from the dictionary.

use alloy_primitives::U256;
use rand::rngs::SmallRng;
use rand::Rng;

use crate::actions::{Action, Op, Report, Role, UpgradeTarget};
use crate::world::{World, BERA};

/// What generation needs to know of the world.
#[derive(Debug, Clone)]
pub struct GenContext {
    /// Number of actors.
    pub actors: usize,
    /// Number of pools.
    pub pools: usize,
    /// Actor index of governance.
    pub governance: u8,
    /// Actor index of the oracle feeder.
    pub feeder: u8,
    /// Actor indexes of the stakers and the attacker.
    pub stakers: Vec<u8>,
    /// Per pool, the actor index of each role holder in [`Role::ALL`] order (DEFAULT_ADMIN: governance).
    pub role_holders: Vec<Vec<u8>>,
    /// Interesting values: spec constants, bytecode PUSH constants, observed compare operands.
    pub dictionary: Vec<U256>,
}

impl GenContext {
    /// Reads the actor layout of `world`.
    pub fn new(world: &World) -> Self {
        let actors = world.actors.all();
        let index = |a| actors.iter().position(|x| *x == a).unwrap_or(0) as u8;
        let governance = index(world.actors.governance);
        let mut stakers: Vec<u8> = world.actors.stakers.iter().map(|s| index(*s)).collect();
        stakers.push(index(world.actors.attacker));
        let role_holders = world
            .pools
            .iter()
            .map(|p| {
                let r = &p.roles;
                vec![
                    governance,
                    index(r.validator_admin),
                    index(r.commission_manager),
                    index(r.protocol_fee_manager),
                    index(r.rewards_allocation_manager),
                    index(r.incentive_collector_manager),
                    index(r.bgt_manager),
                ]
            })
            .collect();
        let spec = [1u64, 10_000, 250_000, 10_000_000, 129_600, 16_382, 8_191];
        let mut dictionary: Vec<U256> = spec.iter().map(|&n| U256::from(n) * BERA).collect();
        dictionary.extend(spec.iter().map(|&n| U256::from(n)));
        dictionary.extend([
            U256::ZERO,
            U256::from(1u8),
            U256::MAX,
            U256::from(1u64 << 63),
        ]);
        let c = &world.contracts;
        for code in [
            c.staking_pool_impl,
            c.smart_operator_impl,
            c.withdrawal_vault_impl,
            c.accounting_oracle_impl,
            c.bera_chef,
            c.bgt,
        ]
        .map(|a| world.chain.code(a))
        {
            for value in push_constants(&code) {
                if !dictionary.contains(&value) {
                    dictionary.push(value);
                }
            }
        }
        Self {
            actors: actors.len(),
            pools: world.pools.len(),
            governance,
            feeder: index(world.actors.feeder),
            stakers,
            role_holders,
            dictionary,
        }
    }

    /// Adds values to the dictionary (bounded; oldest observed values are dropped first).
    pub fn extend_dictionary(&mut self, values: impl IntoIterator<Item = U256>) {
        const CAP: usize = 4096;
        for v in values {
            if self.dictionary.len() >= CAP {
                let i = 40 + (v.as_limbs()[0] as usize % (CAP - 40));
                self.dictionary[i] = v;
            } else if !self.dictionary.contains(&v) {
                self.dictionary.push(v);
            }
        }
    }
}

/// Immediates of PUSH2..PUSH32 in runtime `code` that look like amounts or bounds (not selectors, not
/// addresses, not jump targets), at most 256 of them.
pub fn push_constants(code: &[u8]) -> Vec<U256> {
    let mut out = Vec::new();
    let mut pc = 0;
    while pc < code.len() && out.len() < 256 {
        let op = code[pc];
        if (0x61..=0x7f).contains(&op) {
            let n = (op - 0x5f) as usize;
            let end = (pc + 1 + n).min(code.len());
            let value = U256::from_be_slice(&code[pc + 1..end]);
            // PUSH4 are mostly selectors, PUSH20 addresses, small PUSH2 jump destinations.
            if n != 4 && n != 20 && value > U256::from(0xffffu64) && !out.contains(&value) {
                out.push(value);
            }
            pc = end;
        } else {
            pc += 1;
        }
    }
    out
}

fn bera(n: u64) -> U256 {
    U256::from(n) * BERA
}

/// An amount of BERA: mostly realistic, sometimes extreme or from the dictionary.
pub fn amount(rng: &mut SmallRng, ctx: &GenContext) -> U256 {
    match rng.random_range(0..10) {
        0 => U256::from(rng.random_range(1u64..1_000_000_000_000)),
        1..=4 => bera(rng.random_range(1..20_000)),
        5..=6 => bera(rng.random_range(10_000..400_000)),
        7 => bera(rng.random_range(400_000..3_000_000)),
        8 => ctx.dictionary[rng.random_range(0..ctx.dictionary.len())],
        _ => bera(rng.random_range(1..100)) + U256::from(rng.random_range(0u64..1_000_000_000)),
    }
}

/// The caller: mostly the privilege's holder, often a holder of another role of the same pool (a confused
/// deputy: privileged, but not for this), else a staker or anyone.
fn caller_for(rng: &mut SmallRng, ctx: &GenContext, pool: u8, holder: Option<u8>) -> u8 {
    let holders = &ctx.role_holders[pool as usize % ctx.role_holders.len()];
    match (holder, rng.random_range(0..20)) {
        (Some(h), 0..=11) => h,
        (Some(_), 12..=15) => holders[rng.random_range(0..holders.len())],
        (None, 0..=1) => holders[rng.random_range(0..holders.len())],
        (_, 16..=17) | (None, 2..=13) => ctx.stakers[rng.random_range(0..ctx.stakers.len())],
        _ => rng.random_range(0..ctx.actors) as u8,
    }
}

fn roll(rng: &mut SmallRng) -> u32 {
    match rng.random_range(0..20) {
        0..=12 => 0,
        13..=16 => rng.random_range(1..200),
        17 => 129_600,
        18 => *[8_192u32, 16_382, 129_599, 129_601]
            .get(rng.random_range(0..4))
            .unwrap_or(&1),
        _ => rng.random_range(1..200_000),
    }
}

/// A fresh random action.
pub fn random_action(rng: &mut SmallRng, ctx: &GenContext) -> Action {
    let pool = rng.random_range(0..ctx.pools.max(1)) as u8;
    let holders = &ctx.role_holders[pool as usize % ctx.role_holders.len()];
    let holder = |role: Role| Some(holders[role.index()]);
    let staker = |rng: &mut SmallRng| ctx.stakers[rng.random_range(0..ctx.stakers.len())];
    let any = |rng: &mut SmallRng| rng.random_range(0..ctx.actors) as u8;
    let fee = |rng: &mut SmallRng| U256::from(rng.random_range(0u64..4));
    let role = |rng: &mut SmallRng| Role::ALL[rng.random_range(0..Role::ALL.len())];
    let (op, who) = match rng.random_range(0..100) {
        0..=17 => {
            let receiver = if rng.random_bool(0.8) {
                staker(rng)
            } else {
                any(rng)
            };
            (
                Op::Submit {
                    pool,
                    receiver,
                    amount: amount(rng, ctx),
                },
                None,
            )
        }
        18..=19 => (
            Op::SendToPool {
                pool,
                amount: amount(rng, ctx),
            },
            None,
        ),
        20..=22 => (
            Op::DonateToRewardsVault {
                pool,
                amount: amount(rng, ctx),
            },
            None,
        ),
        23 => (
            Op::DonateToWithdrawalVault {
                amount: amount(rng, ctx),
            },
            None,
        ),
        24..=25 => (
            Op::TransferShares {
                pool,
                to: any(rng),
                amount: amount(rng, ctx),
            },
            None,
        ),
        26 => (
            Op::ApproveShares {
                pool,
                spender: any(rng),
                amount: amount(rng, ctx),
            },
            None,
        ),
        27 => (
            Op::TransferSharesFrom {
                pool,
                from: staker(rng),
                to: any(rng),
                amount: amount(rng, ctx),
            },
            None,
        ),
        28..=33 => {
            let gwei = amount(rng, ctx) / U256::from(1_000_000_000u64);
            (
                Op::RequestWithdrawal {
                    pool,
                    amount_gwei: gwei,
                    max_fee: fee(rng),
                    value: fee(rng),
                },
                None,
            )
        }
        34..=37 => (
            Op::RequestRedeem {
                pool,
                shares: amount(rng, ctx),
                max_fee: fee(rng),
                value: fee(rng),
            },
            None,
        ),
        38..=42 => (
            Op::Finalize {
                id: rng.random_range(0..6),
            },
            None,
        ),
        43 => (Op::FinalizeAll, None),
        44 => (
            Op::SendPendingExit {
                pool,
                value: fee(rng),
            },
            None,
        ),
        45..=51 => {
            let report = match rng.random_range(0..10) {
                0..=5 => Report::Honest,
                6..=7 => Report::Delta(rng.random_range(-700..150)),
                8 => Report::Zero,
                _ => Report::Replay,
            };
            (Op::OracleReport { pool, report }, Some(ctx.feeder))
        }
        52..=55 => (
            Op::ClReward {
                pool,
                amount: amount(rng, ctx) / U256::from(50u8),
            },
            None,
        ),
        56 => (
            Op::ClPenalty {
                pool,
                amount: amount(rng, ctx) / U256::from(20u8),
            },
            None,
        ),
        57..=59 => (
            Op::ClProcessWithdrawals {
                max: rng.random_range(1..8),
            },
            None,
        ),
        60..=61 => (
            Op::MintBgt {
                pool,
                amount: amount(rng, ctx) / U256::from(10u8),
            },
            None,
        ),
        62 => (
            Op::BgtStakerReward {
                pool,
                amount: amount(rng, ctx) / U256::from(10u8),
            },
            None,
        ),
        63 => (
            Op::MintIncentives {
                pool,
                amount: amount(rng, ctx),
            },
            None,
        ),
        64 => (
            Op::ClaimIncentives {
                pool,
                value: if rng.random_bool(0.7) {
                    bera(100)
                } else {
                    amount(rng, ctx)
                },
            },
            None,
        ),
        65..=67 => (Op::ProcessRewards { pool }, None),
        68 => (Op::AccrueBgtFees { pool }, None),
        69 => (Op::QueueBoost { pool }, None),
        70 => (Op::ActivateBoost { pool }, None),
        71 => (
            Op::QueueDropBoost {
                pool,
                amount: rng.random_range(1..u64::MAX),
            },
            holder(Role::BgtManager),
        ),
        72 => (Op::DropBoost { pool }, None),
        73..=74 => (
            Op::RedeemBgt {
                pool,
                amount: amount(rng, ctx) / U256::from(10u8),
            },
            holder(Role::BgtManager),
        ),
        75 => (Op::ClaimBgtStakerReward { pool }, None),
        76..=77 => (
            Op::QueueCommission {
                pool,
                bps: rng.random_range(0..2600),
            },
            holder(Role::CommissionManager),
        ),
        78..=79 => (Op::ActivateCommission { pool }, None),
        80..=81 => (
            Op::SetProtocolFee {
                pool,
                bps: rng.random_range(0..2600),
            },
            holder(Role::ProtocolFeeManager),
        ),
        82 => (
            Op::QueueRewardsAllocation {
                pool,
                receiver: any(rng),
            },
            holder(Role::RewardsAllocationManager),
        ),
        83 => (
            Op::QueuePayoutChange {
                pool,
                amount: amount(rng, ctx),
            },
            holder(Role::IncentiveCollectorManager),
        ),
        84..=85 => {
            let r = role(rng);
            (
                Op::GrantRole {
                    pool,
                    role: r,
                    account: any(rng),
                },
                holder(r.admin()),
            )
        }
        86 => {
            let r = role(rng);
            (
                Op::RevokeRole {
                    pool,
                    role: r,
                    account: any(rng),
                },
                holder(r.admin()),
            )
        }
        87 => (
            Op::RenounceRole {
                pool,
                role: role(rng),
            },
            None,
        ),
        88 => (Op::GrantFeeder { account: any(rng) }, Some(ctx.governance)),
        89 => (Op::PausePool { pool }, Some(ctx.governance)),
        90 => (Op::UnpausePool { pool }, Some(ctx.governance)),
        91 => (Op::PauseVault, Some(ctx.governance)),
        92 => (Op::UnpauseVault, Some(ctx.governance)),
        93 => (
            Op::SetMinEffectiveBalance {
                pool,
                value: amount(rng, ctx),
            },
            Some(ctx.governance),
        ),
        94 => (
            Op::SetOracleBounds {
                up: rng.random_range(0..1000),
                down: rng.random_range(0..3000),
            },
            Some(ctx.governance),
        ),
        95 => (
            Op::SetProtocolFeeRecipient { account: any(rng) },
            Some(ctx.governance),
        ),
        96 => {
            let targets = [
                UpgradeTarget::StakingPoolBeacon,
                UpgradeTarget::SmartOperatorBeacon,
                UpgradeTarget::Factory,
                UpgradeTarget::WithdrawalVault,
                UpgradeTarget::AccountingOracle,
            ];
            (
                Op::Upgrade {
                    target: targets[rng.random_range(0..targets.len())],
                },
                Some(ctx.governance),
            )
        }
        _ => (Op::Wait, None),
    };
    let caller = caller_for(rng, ctx, pool, who);
    Action {
        caller,
        roll: roll(rng),
        op,
    }
}

/// A fresh random sequence of 1..=`depth` actions.
pub fn random_sequence(rng: &mut SmallRng, ctx: &GenContext, depth: usize) -> Vec<Action> {
    let len = rng.random_range(1..=depth.max(1));
    (0..len).map(|_| random_action(rng, ctx)).collect()
}

fn tweak(rng: &mut SmallRng, ctx: &GenContext, v: U256) -> U256 {
    match rng.random_range(0..7) {
        0 => v / U256::from(2u8),
        1 => v.saturating_mul(U256::from(2u8)),
        2 => v.saturating_add(U256::from(1u8)),
        3 => v.saturating_sub(U256::from(1u8)),
        4 => ctx.dictionary[rng.random_range(0..ctx.dictionary.len())],
        5 => amount(rng, ctx),
        _ => v.saturating_add(ctx.dictionary[rng.random_range(0..ctx.dictionary.len())]),
    }
}

/// Changes the arguments of `op` (amounts, pool, accounts), keeping its kind.
pub fn mutate_args(rng: &mut SmallRng, ctx: &GenContext, op: &mut Op) {
    use Op::*;
    match op {
        Submit { amount, .. }
        | SendToPool { amount, .. }
        | DonateToRewardsVault { amount, .. }
        | DonateToWithdrawalVault { amount }
        | TransferShares { amount, .. }
        | ApproveShares { amount, .. }
        | TransferSharesFrom { amount, .. }
        | ClReward { amount, .. }
        | ClPenalty { amount, .. }
        | MintBgt { amount, .. }
        | BgtStakerReward { amount, .. }
        | MintIncentives { amount, .. }
        | RedeemBgt { amount, .. }
        | QueuePayoutChange { amount, .. } => *amount = tweak(rng, ctx, *amount),
        RequestWithdrawal {
            amount_gwei,
            max_fee,
            value,
            ..
        } => match rng.random_range(0..3) {
            0 => *amount_gwei = tweak(rng, ctx, *amount_gwei),
            1 => *max_fee = tweak(rng, ctx, *max_fee) % U256::from(16u8),
            _ => *value = tweak(rng, ctx, *value) % U256::from(16u8),
        },
        RequestRedeem {
            shares,
            max_fee,
            value,
            ..
        } => match rng.random_range(0..3) {
            0 => *shares = tweak(rng, ctx, *shares),
            1 => *max_fee = tweak(rng, ctx, *max_fee) % U256::from(16u8),
            _ => *value = tweak(rng, ctx, *value) % U256::from(16u8),
        },
        OracleReport { report, .. } => {
            *report = match rng.random_range(0..4) {
                0 => Report::Honest,
                1 => Report::Delta(rng.random_range(-800..200)),
                2 => Report::Zero,
                _ => Report::Replay,
            }
        }
        QueueCommission { bps, .. } | SetProtocolFee { bps, .. } => {
            *bps = rng.random_range(0..3000)
        }
        Finalize { id } => *id = rng.random_range(0..8),
        _ => *op = random_action(rng, ctx).op,
    }
    if let Some(p) = pool_mut(op) {
        if rng.random_bool(0.15) {
            *p = rng.random_range(0..ctx.pools.max(1)) as u8;
        }
    }
}

fn pool_mut(op: &mut Op) -> Option<&mut u8> {
    use Op::*;
    match op {
        Submit { pool, .. }
        | SendToPool { pool, .. }
        | DonateToRewardsVault { pool, .. }
        | RequestWithdrawal { pool, .. }
        | RequestRedeem { pool, .. }
        | OracleReport { pool, .. }
        | ClReward { pool, .. }
        | MintBgt { pool, .. } => Some(pool),
        _ => None,
    }
}

/// One random mutation of `seq` (insert, delete, splice with `other`, duplicate, change args, change caller,
/// change roll), bounded to `depth` steps.
pub fn mutate(
    rng: &mut SmallRng,
    ctx: &GenContext,
    seq: &mut Vec<Action>,
    other: &[Action],
    depth: usize,
) {
    let rounds = 1 + rng.random_range(0..3);
    for _ in 0..rounds {
        let len = seq.len();
        match rng.random_range(0..8) {
            0 | 1 if len < depth => {
                let at = rng.random_range(0..=len);
                seq.insert(at, random_action(rng, ctx));
            }
            2 if len > 1 => {
                seq.remove(rng.random_range(0..len));
            }
            3 if !other.is_empty() => {
                let cut = rng.random_range(0..=len);
                let from = rng.random_range(0..other.len());
                seq.truncate(cut);
                seq.extend_from_slice(&other[from..]);
            }
            4 if len > 0 && len < depth => {
                let i = rng.random_range(0..len);
                let step = seq[i].clone();
                seq.insert(i + 1, step);
            }
            5 if len > 0 => {
                let i = rng.random_range(0..len);
                seq[i].caller = rng.random_range(0..ctx.actors) as u8;
            }
            6 if len > 0 => {
                let i = rng.random_range(0..len);
                seq[i].roll = roll(rng);
            }
            _ if len > 0 => {
                let i = rng.random_range(0..len);
                mutate_args(rng, ctx, &mut seq[i].op);
            }
            _ => seq.push(random_action(rng, ctx)),
        }
    }
    seq.truncate(depth.max(1));
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn context() -> GenContext {
        GenContext {
            actors: 22,
            pools: 2,
            governance: 3,
            feeder: 4,
            stakers: vec![5, 6, 7, 8],
            role_holders: vec![
                vec![3, 9, 10, 11, 12, 13, 14],
                vec![3, 15, 16, 17, 18, 19, 20],
            ],
            dictionary: vec![U256::ZERO, U256::MAX, BERA],
        }
    }

    #[test]
    fn generated_and_mutated_actions_round_trip_through_json() {
        let ctx = context();
        let mut rng = SmallRng::seed_from_u64(1);
        let mut seq = random_sequence(&mut rng, &ctx, 40);
        for _ in 0..2_000 {
            let other = random_sequence(&mut rng, &ctx, 10);
            mutate(&mut rng, &ctx, &mut seq, &other, 40);
            let json = serde_json::to_string(&seq).unwrap();
            let back: Vec<Action> =
                serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
            assert_eq!(back, seq);
            assert!(!seq.is_empty() && seq.len() <= 40);
        }
    }
}
