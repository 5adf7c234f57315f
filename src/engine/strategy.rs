//! Generation and mutation of action sequences: weighted op kinds, callers biased toward the holder of the
//! privilege an op needs (but drawn from every actor, so unauthorized calls are exercised too), amounts from
//! ranges that matter to the suite and from the dictionary.

use alloy_primitives::{I256, U256};
use rand::rngs::SmallRng;
use rand::Rng;

use super::dataflow::{step_key, Dataflow};
use super::runner::{ArgumentComparison, StateComparison};
use crate::actions::abi;
use crate::actions::model::ActorDraw;
use crate::actions::{
    Action, Amount, ArgValue, FieldKind, Needs, Op, OpKind, Report, Role, UpgradeTarget,
    HOOK_MODES, HOOK_REPEAT,
};
use crate::bindings::IAccountingOracle;
use crate::fuzzinput::ROLLS;
use crate::world::{World, BERA};
use poolguard_invariants::formulas::GWEI;

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
    /// Actor indexes of the staker lane: the stakers and the attacker.
    pub stakers: Vec<u8>,
    /// Per pool, the actor index of each role holder in [`Role::ALL`] order (DEFAULT_ADMIN: governance).
    pub role_holders: Vec<Vec<u8>>,
    /// Interesting values: spec constants, bytecode PUSH constants, observed compare operands.
    pub dictionary: Vec<U256>,
    /// The world's entry points grouped by function (`Contract.signature`): an ABI call picks a function
    /// uniformly, then one of its deployments, so that a function deployed once (a shared contract's) is
    /// called as often as one every pool has.
    pub entry_groups: Vec<Vec<u16>>,
    /// Per entry point: who sends an ABI call of it ([`crate::actions::abi::entry_needs`]).
    pub entry_needs: Vec<Needs>,
    /// Actor indexes of the outsiders (the attacker, the contract actors): who sends most ABI calls of
    /// privileged entry points.
    pub outsiders: Vec<u8>,
    /// Actor indexes of everyone but governance and the system address: who sends the others.
    pub not_governance: Vec<u8>,
    /// Actor indexes of the contract actors.
    pub contracts: Vec<u8>,
    /// Per pool, the actor indexes that hold shares outside the staker lane: the pool's default shares
    /// recipient (dead and commission shares) and the protocol fee recipient.
    pub fee_holders: Vec<Vec<u8>>,
    /// Length of the world's address book.
    pub accounts: usize,
    /// Per op kind (`OpKind as usize`), the factor its declared weight is drawn with: 1 until a campaign's
    /// [`Scheduler`](super::schedule::Scheduler) adapts it to the kind's yield of new edges.
    pub kind_boosts: Vec<f64>,
    /// Per op kind (`OpKind as usize`), input-to-state boundaries learned by the campaign
    /// ([`RunResult::boundaries`](super::runner::RunResult::boundaries)): values the suite compared that kind's
    /// arguments with, newest last, at most [`MAX_BOUNDARIES`] each.
    pub boundaries: Vec<Vec<U256>>,
    /// The oracle's governance bounds in the deployed world, read from its state (`maxIncreaseBps`, and
    /// `maxDecreaseBps` negated): reports are placed on their edges.
    pub report_bounds: Vec<i32>,
    /// The entry points anyone may call that take an id ([`abi::takes_an_id`]: `approve(to, tokenId)`,
    /// `finalizeWithdrawalRequest(requestId)`, …), read from the compiled ABIs: what a holder may do with the
    /// request it just made, beside the semantic ops about requests.
    pub id_entries: Vec<u16>,
}

impl GenContext {
    /// Reads the actor layout of `world`.
    pub fn new(world: &World) -> Self {
        let actors = world.actors.all();
        let index = |a| world.actors.index_of(a).unwrap_or(0);
        let governance = index(world.actors.governance);
        let mut stakers: Vec<u8> = world.actors.stakers.iter().map(|s| index(*s)).collect();
        stakers.push(index(world.actors.attacker));
        let contracts: Vec<u8> = world.actors.contracts.iter().map(|c| index(*c)).collect();
        let fee_holders = world
            .pools
            .iter()
            .map(|p| {
                vec![
                    index(p.roles.default_shares_recipient),
                    index(world.actors.protocol_fee_recipient),
                ]
            })
            .collect();
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
        let mut entry_groups: Vec<(String, Vec<u16>)> = Vec::new();
        for (i, entry) in world.entry_points.iter().enumerate() {
            let key = entry.key();
            match entry_groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, group)) => group.push(i as u16),
                None => entry_groups.push((key, vec![i as u16])),
            }
        }
        let bps = |v: U256| i32::try_from(v).unwrap_or(i32::MAX);
        let report_bounds = [
            world
                .view(
                    c.accounting_oracle,
                    &IAccountingOracle::maxIncreaseBpsCall {},
                )
                .ok()
                .map(bps),
            world
                .view(
                    c.accounting_oracle,
                    &IAccountingOracle::maxDecreaseBpsCall {},
                )
                .ok()
                .map(|v| -bps(v)),
        ]
        .into_iter()
        .flatten()
        .collect();
        let id_entries = world
            .entry_points
            .iter()
            .enumerate()
            .filter(|(_, point)| {
                abi::entry_needs(point) == Needs::Anyone && abi::takes_an_id(point)
            })
            .map(|(i, _)| i as u16)
            .collect();
        Self {
            id_entries,
            report_bounds,
            entry_groups: entry_groups.into_iter().map(|(_, g)| g).collect(),
            entry_needs: world.entry_points.iter().map(abi::entry_needs).collect(),
            outsiders: world.actors.outsiders().into_iter().map(index).collect(),
            not_governance: actors
                .iter()
                .filter(|a| **a != world.actors.governance && **a != world.actors.system)
                .map(|a| index(*a))
                .collect(),
            contracts,
            fee_holders,
            accounts: world.address_book.len(),
            kind_boosts: vec![1.0; OpKind::ALL.len()],
            boundaries: vec![Vec::new(); OpKind::ALL.len()],
            actors: actors.len(),
            pools: world.pools.len(),
            governance,
            feeder: index(world.actors.feeder),
            stakers,
            role_holders,
            dictionary,
        }
    }

    /// Learns input-to-state boundaries (`(op kind index, value)`), each kind keeping its newest
    /// [`MAX_BOUNDARIES`] distinct values.
    pub fn learn_boundaries(&mut self, learned: impl IntoIterator<Item = (u16, U256)>) {
        for (kind, value) in learned {
            let Some(seen) = self.boundaries.get_mut(usize::from(kind)) else {
                continue;
            };
            if let Some(at) = seen.iter().position(|v| *v == value) {
                seen.remove(at);
            } else if seen.len() >= MAX_BOUNDARIES {
                seen.remove(0);
            }
            seen.push(value);
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

/// The largest amount drawn as dust: rounding (a floor, a `- 1`, a `== 0` shortcut) differs from the rule it
/// implements mostly where a value is a few wei, and a uniform draw below 10^12 almost never lands there.
const DUST_MAX: u64 = 16;

/// An amount of BERA: mostly realistic, sometimes dust, extreme or from the dictionary.
pub fn amount(rng: &mut SmallRng, ctx: &GenContext) -> U256 {
    match rng.random_range(0..10) {
        // A tenth of the draws are small: one wei (the smallest amount that is not zero) a quarter of them, other
        // dust a quarter, the rest below 10^12 wei.
        0 if rng.random_bool(0.25) => U256::from(1u8),
        0 if rng.random_bool(0.33) => U256::from(rng.random_range(2..=DUST_MAX)),
        0 => U256::from(rng.random_range(1u64..1_000_000_000_000)),
        1..=4 => bera(rng.random_range(1..20_000)),
        5..=6 => bera(rng.random_range(10_000..400_000)),
        7 => bera(rng.random_range(400_000..3_000_000)),
        8 => ctx.dictionary[rng.random_range(0..ctx.dictionary.len())],
        _ => bera(rng.random_range(1..100)) + U256::from(rng.random_range(0u64..1_000_000_000)),
    }
}

/// An [`amount`] in a field's own unit, `div` wei (a gwei field, or BGT minted a tenth as large as deposits): larger
/// amounts are divided, dust (at most [`DUST_MAX`]) is kept as dust of the field's unit, which dividing would round to
/// zero.
fn scaled_amount(rng: &mut SmallRng, ctx: &GenContext, div: u64) -> U256 {
    let drawn = amount(rng, ctx);
    if div > 1 && drawn > U256::from(DUST_MAX) {
        drawn / U256::from(div)
    } else {
        drawn
    }
}

/// A [`FieldKind::Loss`]: an amount as [`scaled_amount`] draws it, or, one draw in eight, all the validator can
/// lose (the op's plan bounds it).
fn loss(rng: &mut SmallRng, ctx: &GenContext, div: u64) -> U256 {
    if rng.random_bool(0.125) {
        U256::MAX
    } else {
        scaled_amount(rng, ctx, div)
    }
}

/// The caller: mostly the privilege's holder (or, for an op anyone may send, a staker), often a holder of
/// another role of the same pool (a confused deputy: privileged, but not for this), sometimes one of the pool's
/// fee-share holders (who hold shares outside the staker lane) or a contract actor, else anyone: every actor in
/// every lane, the usual one weighted.
fn caller_for(rng: &mut SmallRng, ctx: &GenContext, pool: u8, holder: Option<u8>) -> u8 {
    let holders = &ctx.role_holders[pool as usize % ctx.role_holders.len()];
    let pick = |rng: &mut SmallRng, list: &[u8]| list[rng.random_range(0..list.len())];
    match (holder, rng.random_range(0..20)) {
        (Some(h), 0..=11) => h,
        (Some(_), 12..=14) | (None, 0..=1) => pick(rng, holders),
        (Some(_), 15) | (None, 2) if !ctx.fee_holders.is_empty() => {
            pick(rng, &ctx.fee_holders[pool as usize % ctx.fee_holders.len()])
        }
        (Some(_), 16) | (None, 3..=4) if !ctx.contracts.is_empty() => pick(rng, &ctx.contracts),
        (Some(_), 17) | (None, 5..=15) => pick(rng, &ctx.stakers),
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

/// The holder of what `needs` asks for on `pool`, if anyone in particular.
fn holder_of(ctx: &GenContext, pool: u8, needs: Needs) -> Option<u8> {
    let holders = &ctx.role_holders[pool as usize % ctx.role_holders.len()];
    match needs {
        Needs::Anyone | Needs::System => None,
        Needs::NotGovernance => ctx.outsiders.first().copied(),
        Needs::Feeder => Some(ctx.feeder),
        Needs::Governance => Some(ctx.governance),
        Needs::PoolRole(role) => Some(holders[role.index()]),
    }
}

/// An op kind drawn by the descriptions' weights, each scaled by its boost in `ctx`.
fn random_kind(rng: &mut SmallRng, ctx: &GenContext) -> OpKind {
    let weight = |kind: OpKind| {
        f64::from(kind.spec().weight) * ctx.kind_boosts.get(kind as usize).copied().unwrap_or(1.0)
    };
    let total: f64 = OpKind::ALL.into_iter().map(weight).sum();
    let mut draw = rng.random_range(0.0..total.max(f64::MIN_POSITIVE));
    for kind in OpKind::ALL {
        let w = weight(kind);
        if draw < w {
            return kind;
        }
        draw -= w;
    }
    OpKind::Wait
}

fn random_actor(rng: &mut SmallRng, ctx: &GenContext, draw: ActorDraw) -> u8 {
    let staker = |rng: &mut SmallRng| ctx.stakers[rng.random_range(0..ctx.stakers.len())];
    let any = |rng: &mut SmallRng| rng.random_range(0..ctx.actors) as u8;
    match draw {
        ActorDraw::Any => any(rng),
        ActorDraw::Staker => staker(rng),
        ActorDraw::Contract if !ctx.contracts.is_empty() => {
            ctx.contracts[rng.random_range(0..ctx.contracts.len())]
        }
        ActorDraw::Contract => any(rng),
        ActorDraw::Receiver => match rng.random_range(0..10) {
            0..=7 => staker(rng),
            8 if !ctx.contracts.is_empty() => {
                ctx.contracts[rng.random_range(0..ctx.contracts.len())]
            }
            _ => any(rng),
        },
    }
}

/// A value within one of a constant of the compiled code that is below `max` (a cap such as 2000 bps: 1999, 2000 or
/// 2001), so that a bound off by one is crossed; uniform below `max` when the code has none.
fn near_constant(rng: &mut SmallRng, ctx: &GenContext, max: u16) -> u16 {
    let small: Vec<u16> = ctx
        .dictionary
        .iter()
        .filter_map(|v| u16::try_from(*v).ok())
        .filter(|v| *v > 1 && *v < max)
        .collect();
    if small.is_empty() {
        return rng.random_range(0..max);
    }
    let c = small[rng.random_range(0..small.len())];
    match rng.random_range(0..3) {
        0 => c - 1,
        1 => c,
        _ => c.saturating_add(1),
    }
}

/// Basis points past 100% by one: the whole domain a rate or bound can be set in, and the first value past it.
const BPS_DOMAIN: u16 = poolguard_invariants::formulas::ONE_HUNDRED_PERCENT as u16 + 2;

/// A basis-point value: as before the whole domain was drawn, mostly below the op's `typical` bound (where the
/// suite's caps and the campaign's useful settings lie) and a quarter of the time on either side of one of the
/// suite's constants there; else, one draw in eight, anywhere up to 100% and one past it, or next to a constant of
/// that whole range: a bound the suite lets governance set to 100% is tried there too.
fn bps_value(rng: &mut SmallRng, ctx: &GenContext, typical: u16) -> u16 {
    debug_assert!(typical > 0, "a bps field's usual bound is above zero");
    match rng.random_range(0..16) {
        0..=3 => near_constant(rng, ctx, typical),
        4 => near_constant(rng, ctx, BPS_DOMAIN),
        5 => rng.random_range(0..BPS_DOMAIN),
        _ => rng.random_range(0..typical),
    }
}

/// A fresh value for a field of `kind` of an op about `pool`.
fn random_field(rng: &mut SmallRng, ctx: &GenContext, kind: FieldKind, pool: u8) -> ArgValue {
    match kind {
        FieldKind::Pool => ArgValue::Byte(pool),
        FieldKind::Actor(draw) => ArgValue::Byte(random_actor(rng, ctx, draw)),
        FieldKind::Amount { div } => ArgValue::Word(scaled_amount(rng, ctx, div)),
        FieldKind::Loss { div } => ArgValue::Word(loss(rng, ctx, div)),
        FieldKind::Held { div, .. } => ArgValue::Amount(if rng.random_bool(0.5) {
            held_portion(rng)
        } else {
            Amount::Exact(scaled_amount(rng, ctx, div))
        }),
        FieldKind::Fee => ArgValue::Word(U256::from(rng.random_range(0u64..4))),
        FieldKind::Payment => ArgValue::Word(if rng.random_bool(0.7) {
            bera(100)
        } else {
            amount(rng, ctx)
        }),
        FieldKind::Bps { max } => ArgValue::U16(bps_value(rng, ctx, max)),
        // Mostly the newest request (0), else one by its position.
        FieldKind::RequestId => ArgValue::U64(if rng.random_bool(0.5) {
            0
        } else {
            rng.random_range(1u64..6)
        }),
        FieldKind::Count => ArgValue::Byte(rng.random_range(1u8..8)),
        FieldKind::Hook => ArgValue::Byte(rng.random_range(0..HOOK_MODES.len() as u8)),
        FieldKind::Account => ArgValue::Byte(rng.random_range(0..ctx.accounts.clamp(1, 256)) as u8),
        FieldKind::Role => ArgValue::Role(Role::ALL[rng.random_range(0..Role::ALL.len())]),
        FieldKind::Report => ArgValue::Report(match rng.random_range(0..12) {
            0..=4 => Report::Honest,
            // A balance named outright, as an amount is drawn: whatever the books imply.
            5 => Report::Gwei(amount(rng, ctx) / U256::from(GWEI)),
            6..=7 => Report::Delta(rng.random_range(-700..150)),
            // A move within one basis point of one of the oracle's bounds as the world was deployed (read from its
            // state): a report on the edge of what the oracle accepts, where a wrong centre or an off-by-one bound
            // shows.
            8..=9 if !ctx.report_bounds.is_empty() => {
                let edge = ctx.report_bounds[rng.random_range(0..ctx.report_bounds.len())];
                Report::Delta(edge.saturating_add(rng.random_range(-1..=1)))
            }
            8..=9 => Report::Delta(rng.random_range(-700..150)),
            10 => Report::Zero,
            _ => Report::Replay,
        }),
        FieldKind::Target => {
            ArgValue::Target(UpgradeTarget::ALL[rng.random_range(0..UpgradeTarget::ALL.len())])
        }
        FieldKind::EntryPoint => ArgValue::U16(if ctx.entry_groups.is_empty() {
            rng.random()
        } else {
            let group = &ctx.entry_groups[rng.random_range(0..ctx.entry_groups.len())];
            group[rng.random_range(0..group.len())]
        }),
        FieldKind::Words => {
            let len = rng.random_range(0..=5);
            ArgValue::Words((0..len).map(|_| seed_word(rng, ctx)).collect())
        }
    }
}

/// A portion of the sender's holding: all of it, half, any part, none ([`Amount::NONE`]), or just over all of it.
fn held_portion(rng: &mut SmallRng) -> Amount {
    // The edges of a holding (all of it, more than all, none: zero, sent even when nothing is held) and the
    // portions between.
    let held_bps = match rng.random_range(0..10) {
        0..=3 => 10_000,
        4 => 5_000,
        5..=7 => rng.random_range(1..10_000),
        8 => return Amount::NONE,
        _ => rng.random_range(10_001..10_100),
    };
    Amount::Held { held_bps }
}

/// One ABI argument seed: a small index (an address-book entry, a pool, a role id, a short length), an amount,
/// a dictionary value or any 64-bit value.
fn seed_word(rng: &mut SmallRng, ctx: &GenContext) -> U256 {
    match rng.random_range(0..10) {
        // Zero: the first index of every list, an empty amount, `false`.
        0 => U256::ZERO,
        1..=3 => U256::from(rng.random_range(0u64..48)),
        4..=5 => amount(rng, ctx),
        6..=8 => ctx.dictionary[rng.random_range(0..ctx.dictionary.len())],
        _ => U256::from(rng.random::<u64>()),
    }
}

/// How many input-to-state boundaries each op kind keeps.
pub const MAX_BOUNDARIES: usize = 32;

/// A value the suite compared an argument of a `kind` call with (an input-to-state boundary), or one either side
/// of it; `None` before any was learned.
fn boundary(rng: &mut SmallRng, ctx: &GenContext, kind: OpKind) -> Option<U256> {
    let seen = ctx
        .boundaries
        .get(kind as usize)
        .filter(|s| !s.is_empty())?;
    let value = seen[rng.random_range(0..seen.len())];
    Some(near(rng, value))
}

/// `value`, or one either side of it: where a check against it off by one shows.
fn near(rng: &mut SmallRng, value: U256) -> U256 {
    match rng.random_range(0..3) {
        0 => value.saturating_sub(U256::from(1u8)),
        1 => value,
        _ => value.saturating_add(U256::from(1u8)),
    }
}

/// Whether a field of `kind` is sent as its value is (an ABI word or `msg.value`), so a boundary can be placed in
/// it; a report takes one as the balance it names ([`Report::Gwei`]).
fn takes_exact_value(kind: FieldKind) -> bool {
    matches!(
        kind,
        FieldKind::Amount { .. }
            | FieldKind::Loss { .. }
            | FieldKind::Fee
            | FieldKind::Payment
            | FieldKind::Held { .. }
            | FieldKind::Bps { .. }
            | FieldKind::Report
    )
}

/// `value` as the argument of a field of `kind`, for the kinds whose value is sent as it is
/// ([`takes_exact_value`]); `None` for the others, and for a bps value past `u16`.
fn exact_argument(kind: FieldKind, value: U256) -> Option<ArgValue> {
    match kind {
        FieldKind::Amount { .. } | FieldKind::Loss { .. } | FieldKind::Fee | FieldKind::Payment => {
            Some(ArgValue::Word(value))
        }
        FieldKind::Held { .. } => Some(ArgValue::Amount(Amount::Exact(value))),
        FieldKind::Bps { .. } => u16::try_from(value).ok().map(ArgValue::U16),
        FieldKind::Report => Some(ArgValue::Report(Report::Gwei(value))),
        _ => None,
    }
}

/// `op` with the value field it sent as `argument` set to `value` (a portion of a holding, resolved when the step
/// runs, may have been any amount, and so may a report's balance read from state: both count too; a report then
/// names the value, [`Report::Gwei`]): the input-to-state replacement of a comparison the suite
/// made of that argument ([`ArgumentComparison`]). `None` when no field of
/// `op` can have been sent as `argument`, or the field cannot take `value`.
pub fn place_value(op: &Op, argument: U256, value: U256) -> Option<Op> {
    let kind = op.kind();
    let fields = kind.spec().fields;
    let mut args = op.args();
    let valued = || (0..fields.len()).filter(|&i| takes_exact_value(fields[i].kind));
    let sent_as_is = valued().find(|&i| match &args[i] {
        ArgValue::Word(v) | ArgValue::Amount(Amount::Exact(v)) => *v == argument,
        ArgValue::U16(v) => U256::from(*v) == argument,
        ArgValue::Report(Report::Gwei(v)) => *v == argument,
        _ => false,
    });
    // A portion of a holding is resolved when the step runs, and a report's balance is read from state unless
    // named or zero: either may have been sent as any amount (a report's balance is its call's only amount word).
    let held = || {
        valued().find(|&i| {
            matches!(
                args[i],
                ArgValue::Amount(Amount::Held { .. })
                    | ArgValue::Report(Report::Honest | Report::Delta(_) | Report::Replay)
            )
        })
    };
    let at = sent_as_is.or_else(held)?;
    args[at] = exact_argument(fields[at].kind, value)?;
    Some(Op::from_args(kind, &args))
}

/// `sequence` again with one argument the suite compared (`cmps`, from its run) set to the amount it was compared
/// with, or one either side: the edge of a check that depends on the state (the room left, the live
/// `totalDeposits`), met in the very state it was compared in. Operands the op kind's learned boundaries do not hold
/// yet come first (the state's, not the code's constants, which every fresh op already tries); a step is drawn
/// before one of its comparisons, so a rare op's one comparison is not drowned by the many every deposit makes.
/// `None` when there is none, or the step has no field to put it in.
pub fn replacement_of(
    rng: &mut SmallRng,
    ctx: &GenContext,
    sequence: &[Action],
    cmps: &[ArgumentComparison],
) -> Option<Vec<Action>> {
    let known = |c: &&ArgumentComparison| {
        sequence.get(c.step as usize).is_some_and(|a| {
            ctx.boundaries
                .get(a.op.kind() as usize)
                .is_some_and(|b| b.contains(&c.operand))
        })
    };
    let mut candidates: Vec<&ArgumentComparison> = cmps.iter().filter(|c| !known(c)).collect();
    if candidates.is_empty() {
        candidates = cmps.iter().collect();
    }
    let steps: Vec<u32> = candidates
        .iter()
        .map(|c| c.step)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    if steps.is_empty() {
        return None;
    }
    let step = steps[rng.random_range(0..steps.len())];
    let of_step: Vec<_> = candidates.into_iter().filter(|c| c.step == step).collect();
    let cmp = *of_step[rng.random_range(0..of_step.len())];
    let value = near(rng, cmp.operand);
    let at = cmp.step as usize;
    let op = place_value(&sequence.get(at)?.op, cmp.argument, value)?;
    let mut next = sequence.to_vec();
    next[at].op = op;
    Some(next)
}

/// `sequence` up to the step of `cmp`, three times, with the compared argument set to one below the operand, the
/// operand and one above: a comparison met for the first time, tried at once on both sides of its edge in the very
/// state it was met in (the steps after it cannot change what that step does). Empty when the step has no field
/// the argument can have been sent in.
pub fn edge_tries(sequence: &[Action], cmp: &ArgumentComparison) -> Vec<Vec<Action>> {
    around(cmp.operand)
        .filter_map(|value| up_to_with(sequence, cmp.step, cmp.argument, value))
        .collect()
}

/// One below `value`, `value` and one above (those that exist): the two sides of an edge and the edge itself.
fn around(value: U256) -> impl Iterator<Item = U256> {
    let one = U256::from(1u8);
    [value.checked_sub(one), Some(value), value.checked_add(one)]
        .into_iter()
        .flatten()
}

/// `sequence` up to its step `step`, that step's field sent as `argument` set to `value` ([`place_value`]); the
/// steps after it cannot change what it does. `None` when there is no such step or field.
fn up_to_with(sequence: &[Action], step: u32, argument: U256, value: U256) -> Option<Vec<Action>> {
    let at = step as usize;
    let op = place_value(&sequence.get(at)?.op, argument, value)?;
    let mut next = sequence[..=at].to_vec();
    next[at].op = op;
    Some(next)
}

/// A run queued to learn how the [`StateComparison`]s of one step move with one of its arguments: the sequence up
/// to that step, the argument halved. The probe's own run meets the comparisons again, and for each the line
/// through its two gaps (`left - right` at each argument) has a root: the argument that lands the check on its edge
/// when one side is affine in it (a sum, a difference, a price), which [`SecantProbe::tries`] then runs, with one
/// either side. Eclipser's linear solving of a branch, from two executions instead of a symbolic one, and one probe
/// for all the comparisons of a step (most turn out not to depend on the argument).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecantProbe {
    /// The sequence to run: the original up to the comparisons' step, that step's argument set to `probe`.
    pub sequence: Vec<Action>,
    /// Index of the comparisons' step.
    pub step: u32,
    /// The argument in the run that met them.
    pub before: U256,
    /// The argument the probe sends.
    pub probe: U256,
    /// Each comparison probed: its site and its gap, `left - right`, in the run that met it.
    pub gaps: Vec<(u64, I256)>,
}

/// `left - right` as a signed number (both are amounts, at most 128 bits).
fn gap(left: U256, right: U256) -> Option<I256> {
    I256::try_from(left)
        .ok()?
        .checked_sub(I256::try_from(right).ok()?)
}

/// The probe of `cmps` (comparisons one step of `sequence` made, all paired with the same argument; the first at
/// each site counts): that argument halved. `None` when the half is no amount (8 bits or less) or the step has no
/// field to put it in.
pub fn secant_probe(sequence: &[Action], cmps: &[StateComparison]) -> Option<SecantProbe> {
    let first = cmps.first()?;
    // An argument of 8 bits or less is no amount the runner pairs comparisons with: its probe could not be read.
    let probe: U256 = first.argument >> 1usize;
    if probe.bit_len() <= 8 {
        return None;
    }
    let next = up_to_with(sequence, first.step, first.argument, probe)?;
    let mut gaps: Vec<(u64, I256)> = Vec::new();
    for cmp in cmps
        .iter()
        .filter(|c| c.step == first.step && c.argument == first.argument)
    {
        if !gaps.iter().any(|(site, _)| *site == cmp.site) {
            if let Some(g) = gap(cmp.left, cmp.right) {
                gaps.push((cmp.site, g));
            }
        }
    }
    Some(SecantProbe {
        sequence: next,
        step: first.step,
        before: first.argument,
        probe,
        gaps,
    })
}

/// Where the line through `(a0, g0)` and `(a1, g1)` crosses zero, rounded toward `a0`; `None` when the gap did not
/// move (the comparison does not depend on the argument) or the root is no amount.
pub fn affine_root(a0: U256, g0: I256, a1: U256, g1: I256) -> Option<U256> {
    let slope_num = g1.checked_sub(g0)?;
    if slope_num.is_zero() {
        return None;
    }
    let a0 = I256::try_from(a0).ok()?;
    let run = I256::try_from(a1).ok()?.checked_sub(a0)?;
    let root = a0.checked_sub(g0.checked_mul(run)?.checked_div(slope_num)?)?;
    Some(root.into_raw()).filter(|r| root.is_positive() && r.bit_len() <= 128)
}

impl SecantProbe {
    /// The edge tries this probe's run (`state_cmps`, from running [`SecantProbe::sequence`]) points to: each
    /// comparison met again at the same step and site whose gap moved, solved for its edge ([`affine_root`]), and
    /// one either side; at most `max_roots` roots, in the order the comparisons were met.
    pub fn tries(&self, state_cmps: &[StateComparison], max_roots: usize) -> Vec<Vec<Action>> {
        let mut roots: Vec<U256> = Vec::new();
        for &(site, g0) in &self.gaps {
            if roots.len() >= max_roots {
                break;
            }
            let met = state_cmps
                .iter()
                .find(|c| c.step == self.step && c.site == site && c.argument == self.probe);
            let root = met
                .and_then(|c| gap(c.left, c.right))
                .and_then(|g1| affine_root(self.before, g0, self.probe, g1));
            if let Some(root) = root.filter(|r| !roots.contains(r)) {
                roots.push(root);
            }
        }
        // The probe's sequence already ends at the step.
        roots
            .into_iter()
            .flat_map(around)
            .filter(|value| *value != self.probe && *value != self.before)
            .filter_map(|value| up_to_with(&self.sequence, self.step, self.probe, value))
            .collect()
    }
}

/// Sometimes puts an input-to-state boundary of `kind` into one of `args`' value fields.
fn place_boundary(
    rng: &mut SmallRng,
    ctx: &GenContext,
    kind: OpKind,
    args: &mut [ArgValue],
    chance: f64,
) {
    let fields = kind.spec().fields;
    // Counted, not collected: this runs for every fresh op.
    let valued = || (0..fields.len()).filter(|&i| takes_exact_value(fields[i].kind));
    let count = valued().count();
    if count == 0 || !rng.random_bool(chance) {
        return;
    }
    let Some(at) = valued().nth(rng.random_range(0..count)) else {
        return;
    };
    if let Some(value) = boundary(rng, ctx, kind).and_then(|v| exact_argument(fields[at].kind, v)) {
        args[at] = value;
    }
}

/// A fresh op of `kind` about `pool`, each field drawn as its kind says (sometimes one value field on a
/// boundary the campaign learned for the kind).
pub fn random_op(rng: &mut SmallRng, ctx: &GenContext, kind: OpKind, pool: u8) -> Op {
    let mut args: Vec<ArgValue> = kind
        .spec()
        .fields
        .iter()
        .map(|field| random_field(rng, ctx, field.kind, pool))
        .collect();
    place_boundary(rng, ctx, kind, &mut args, 0.1);
    Op::from_args(kind, &args)
}

/// A fresh random action: a pool, a kind by weight, its fields, a caller biased toward who the op needs, a roll.
pub fn random_action(rng: &mut SmallRng, ctx: &GenContext) -> Action {
    let pool = rng.random_range(0..ctx.pools.max(1)) as u8;
    let kind = random_kind(rng, ctx);
    random_action_of(rng, ctx, kind, pool, None)
}

/// A fresh random action to follow `prefix` (the steps before it): most often about the pool of the step just
/// before, and, for an op anyone may send, sometimes by the same sender. An op that spends what its sender holds
/// (a [`FieldKind::Held`] field) is mostly sent by an account that holds shares of a pool (a fee-share holder,
/// or an account an earlier step gave shares to through a receiver field), on that pool. A bug that takes several steps of one account on one pool (deposit, request, wait, finalize)
/// is otherwise a product of independent draws that rarely line up.
pub fn random_action_after(rng: &mut SmallRng, ctx: &GenContext, prefix: &[Action]) -> Action {
    let kind = random_kind(rng, ctx);
    let spends_holding = kind
        .spec()
        .fields
        .iter()
        .any(|f| f.kind.spends_senders_holding());
    // Who holds shares: each pool's fee-share holders from its creation (dead and commission shares), and every
    // account an earlier step gave shares to.
    let receivers: Vec<(u8, u8)> = if spends_holding {
        let from_start = ctx
            .fee_holders
            .iter()
            .enumerate()
            .flat_map(|(pool, holders)| holders.iter().map(move |h| (*h, pool as u8)));
        from_start
            .chain(prefix.iter().filter_map(receiver_of))
            .collect()
    } else {
        Vec::new()
    };
    if !receivers.is_empty() && rng.random_bool(0.6) {
        let (holder, pool) = receivers[rng.random_range(0..receivers.len())];
        return random_action_of(rng, ctx, kind, pool, Some(holder));
    }
    let Some(prev) = prefix.last() else {
        let pool = rng.random_range(0..ctx.pools.max(1)) as u8;
        return random_action_of(rng, ctx, kind, pool, None);
    };
    // An op about a withdrawal request (a request id field) is mostly sent by an account that spent a holding
    // earlier (whose request it likely is), often after one of the suite's delays, when the request is due.
    if kind
        .spec()
        .fields
        .iter()
        .any(|f| f.kind == FieldKind::RequestId)
    {
        let spenders: Vec<u8> = prefix
            .iter()
            .filter(|step| {
                step.op
                    .kind()
                    .spec()
                    .fields
                    .iter()
                    .any(|f| f.kind.spends_senders_holding())
            })
            .map(|step| step.caller)
            .collect();
        if !spenders.is_empty() && rng.random_bool(0.6) {
            let sender = spenders[rng.random_range(0..spenders.len())];
            let pool = rng.random_range(0..ctx.pools.max(1)) as u8;
            let mut action = random_action_of(rng, ctx, kind, pool, Some(sender));
            if rng.random_bool(0.5) {
                action.roll = ROLLS[rng.random_range(0..ROLLS.len())];
            }
            return action;
        }
    }
    // Sometimes an account an earlier step named (a spender, a receiver, a grantee) acts, naming that step's
    // sender in turn: what it was given (an allowance, shares, a role) is what it acts with.
    if rng.random_bool(0.15) {
        let namings: Vec<(&Action, u8)> = prefix
            .iter()
            .filter_map(|step| named_actor(&step.op).map(|named| (step, named)))
            .filter(|(step, named)| *named != step.caller)
            .collect();
        if !namings.is_empty() {
            let (step, named) = namings[rng.random_range(0..namings.len())];
            let pool = pool_of(rng, ctx, step);
            let mut action = random_action_of(rng, ctx, kind, pool, Some(named));
            action.set_caller(named);
            action.op = naming(action.op, step.caller);
            return action;
        }
    }
    let pool = match prev.op.pool() {
        Some(pool) if rng.random_bool(0.7) => pool,
        _ => rng.random_range(0..ctx.pools.max(1)) as u8,
    };
    let same_sender = rng.random_bool(0.3).then_some(prev.caller);
    random_action_of(rng, ctx, kind, pool, same_sender)
}

/// The account a step gives shares to and the pool, when the op has a receiver field.
fn receiver_of(step: &Action) -> Option<(u8, u8)> {
    let fields = step.op.kind().spec().fields;
    let at = fields
        .iter()
        .position(|f| f.kind == FieldKind::Actor(ActorDraw::Receiver))?;
    match (step.op.args().get(at), step.op.pool()) {
        (Some(ArgValue::Byte(receiver)), Some(pool)) => Some((*receiver, pool)),
        _ => None,
    }
}

/// A fresh action of `kind` about `pool`; an op anyone may send (not an ABI call, whose sender follows its
/// entry point) is sent by `same_sender` when given.
fn random_action_of(
    rng: &mut SmallRng,
    ctx: &GenContext,
    kind: OpKind,
    pool: u8,
    same_sender: Option<u8>,
) -> Action {
    let op = random_op(rng, ctx, kind, pool);
    action_for(rng, ctx, op, pool, same_sender)
}

/// An action sending `op` (about `pool`): its sender drawn as [`random_action_of`] says, and a roll.
fn action_for(
    rng: &mut SmallRng,
    ctx: &GenContext,
    op: Op,
    pool: u8,
    same_sender: Option<u8>,
) -> Action {
    let needs = match &op {
        Op::AbiCall { entry, .. } if !ctx.entry_needs.is_empty() => {
            ctx.entry_needs[*entry as usize % ctx.entry_needs.len()]
        }
        _ => op.needs(),
    };
    let caller = match (needs, same_sender) {
        // Planning drops such an op sent by governance or the system address.
        (Needs::NotGovernance, _)
            if rng.random_range(0..4) == 0 && !ctx.not_governance.is_empty() =>
        {
            ctx.not_governance[rng.random_range(0..ctx.not_governance.len())]
        }
        (Needs::NotGovernance, _) => ctx.outsiders[rng.random_range(0..ctx.outsiders.len())],
        (Needs::Anyone, Some(sender)) if !matches!(op, Op::AbiCall { .. }) => sender,
        _ => caller_for(rng, ctx, pool, holder_of(ctx, pool, needs)),
    };
    // Acting for oneself is the usual lane: shares submitted for the sender are what its later requests,
    // transfers and callbacks work with, whoever the sender is (a contract actor, a role holder).
    let op = if rng.random_bool(0.5) {
        receive_as(op, caller)
    } else {
        op
    };
    // A contract actor's transaction is sometimes signed by a privileged account: a role holder interacting with
    // a contract that calls the suite in its name. For an op that needs a privilege, mostly its holder; else any
    // privileged account of the pool (governance, a role holder, the feeder).
    let signed = may_be_signed(ctx, caller, &op) && rng.random_range(0..4) == 0;
    let origin = signed.then(|| {
        let needed = needs.privilege(usize::from(pool)).is_some();
        match holder_of(ctx, pool, needs).filter(|_| needed) {
            Some(holder) if rng.random_bool(0.75) => holder,
            _ => privileged_account(rng, ctx, pool),
        }
    });
    Action {
        caller,
        roll: roll(rng),
        op,
        origin,
    }
}

/// `op` with its receiver fields ([`ActorDraw::Receiver`]) set to `caller`.
fn receive_as(op: Op, caller: u8) -> Op {
    let kind = op.kind();
    let fields = kind.spec().fields;
    if !fields
        .iter()
        .any(|f| f.kind == FieldKind::Actor(ActorDraw::Receiver))
    {
        return op;
    }
    let mut args = op.args();
    for (value, field) in args.iter_mut().zip(fields) {
        if field.kind == FieldKind::Actor(ActorDraw::Receiver) {
            *value = ArgValue::Byte(caller);
        }
    }
    Op::from_args(kind, &args)
}

/// A fresh random sequence of 1..=`depth` actions.
pub fn random_sequence(rng: &mut SmallRng, ctx: &GenContext, depth: usize) -> Vec<Action> {
    let len = rng.random_range(1..=depth.max(1));
    let mut seq: Vec<Action> = Vec::with_capacity(len);
    for _ in 0..len {
        let action = random_action_after(rng, ctx, &seq);
        seq.push(action);
    }
    seq
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

/// A changed value of a mutable field of `kind`.
fn mutate_field(
    rng: &mut SmallRng,
    ctx: &GenContext,
    kind: FieldKind,
    value: ArgValue,
) -> ArgValue {
    match (kind, value) {
        (FieldKind::Amount { .. }, ArgValue::Word(v)) => ArgValue::Word(tweak(rng, ctx, v)),
        (FieldKind::Loss { div }, ArgValue::Word(v)) => ArgValue::Word(if rng.random_bool(0.25) {
            loss(rng, ctx, div)
        } else {
            tweak(rng, ctx, v)
        }),
        (FieldKind::Held { .. }, ArgValue::Amount(Amount::Exact(v))) => {
            ArgValue::Amount(if rng.random_bool(0.8) {
                Amount::Exact(tweak(rng, ctx, v))
            } else {
                held_portion(rng)
            })
        }
        (FieldKind::Held { div, .. }, ArgValue::Amount(Amount::Held { held_bps })) => {
            ArgValue::Amount(match rng.random_range(0..4) {
                0 => Amount::Held {
                    held_bps: held_bps.saturating_add(1),
                },
                // None lowered is none again: drawn afresh instead.
                1 if held_bps > 0 => Amount::Held {
                    held_bps: held_bps - 1,
                },
                1 => held_portion(rng),
                2 => held_portion(rng),
                _ => Amount::Exact(scaled_amount(rng, ctx, div)),
            })
        }
        (FieldKind::Fee, ArgValue::Word(v)) => {
            ArgValue::Word(tweak(rng, ctx, v) % U256::from(16u8))
        }
        (FieldKind::Report, ArgValue::Report(report)) => {
            ArgValue::Report(match rng.random_range(0..5) {
                0 => Report::Honest,
                1 => Report::Delta(rng.random_range(-800..200)),
                2 => Report::Zero,
                3 => Report::Replay,
                _ => Report::Gwei(match report {
                    // Tweaked in wei, as the dictionary and the amounts are, then sent as whole gwei again.
                    Report::Gwei(balance) => {
                        tweak(rng, ctx, balance.saturating_mul(U256::from(GWEI))) / U256::from(GWEI)
                    }
                    _ => amount(rng, ctx) / U256::from(GWEI),
                }),
            })
        }
        // Past every cap, so that a cap off by a little is crossed; now and then anywhere in the domain.
        (FieldKind::Bps { .. }, _) => ArgValue::U16(match rng.random_range(0..8) {
            0..=3 => near_constant(rng, ctx, 3000),
            4..=6 => rng.random_range(0..3000),
            _ => bps_value(rng, ctx, BPS_DOMAIN),
        }),
        (FieldKind::RequestId, _) => ArgValue::U64(rng.random_range(0u64..8)),
        (FieldKind::Words, ArgValue::Words(mut words)) => {
            match rng.random_range(0..4) {
                0 if !words.is_empty() => {
                    let i = rng.random_range(0..words.len());
                    words[i] = tweak(rng, ctx, words[i]);
                }
                1 if !words.is_empty() => {
                    let i = rng.random_range(0..words.len());
                    words[i] = seed_word(rng, ctx);
                }
                2 if words.len() > 1 => {
                    words.pop();
                }
                _ if words.len() < 12 => words.push(seed_word(rng, ctx)),
                _ => {}
            }
            ArgValue::Words(words)
        }
        (kind, ArgValue::Byte(pool)) => random_field(rng, ctx, kind, pool),
        (kind, _) => random_field(rng, ctx, kind, 0),
    }
}

/// Changes the arguments of `op` (one mutable field), keeping its kind; an op with no mutable field is replaced
/// by a fresh one. Ops that may move between pools sometimes do.
pub fn mutate_args(rng: &mut SmallRng, ctx: &GenContext, op: &mut Op) {
    let kind = op.kind();
    let fields = kind.spec().fields;
    let mutable: Vec<usize> = (0..fields.len()).filter(|&i| fields[i].mutable).collect();
    if mutable.is_empty() {
        *op = random_action(rng, ctx).op;
    } else {
        let at = if mutable.len() == 1 {
            mutable[0]
        } else {
            mutable[rng.random_range(0..mutable.len() as i32) as usize]
        };
        let mut args = op.args();
        let on_boundary = rng
            .random_bool(0.2)
            .then(|| boundary(rng, ctx, kind))
            .flatten()
            .and_then(|v| exact_argument(fields[at].kind, v));
        args[at] = match on_boundary {
            Some(value) => value,
            None => mutate_field(rng, ctx, fields[at].kind, args[at].clone()),
        };
        *op = Op::from_args(kind, &args);
    }
    let kind = op.kind();
    if kind.spec().retarget && rng.random_bool(0.15) {
        *op = op.on_pool(rng.random_range(0..ctx.pools.max(1)) as u8);
    }
}

/// One random mutation of `seq` (insert, delete, splice with `other`, duplicate, change args, change caller or,
/// for a contract actor's step, its transaction's signer, change roll, arm a contract actor's hook before its step, follow a spending step up), bounded to `depth` steps.
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
        match rng.random_range(0..10) {
            0 | 1 if len < depth => {
                let at = rng.random_range(0..=len);
                let action = random_action_after(rng, ctx, &seq[..at]);
                seq.insert(at, action);
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
            // Another sender, or, for a contract actor's step, another signer of its transaction.
            5 if len > 0 => {
                let i = rng.random_range(0..len);
                if may_be_signed(ctx, seq[i].caller, &seq[i].op) && rng.random_bool(0.25) {
                    let pool = seq[i].op.pool().unwrap_or(0);
                    seq[i].origin = match seq[i].origin {
                        Some(_) => None,
                        None => Some(privileged_account(rng, ctx, pool)),
                    };
                } else {
                    seq[i].set_caller(rng.random_range(0..ctx.actors) as u8);
                }
            }
            6 if len > 0 => {
                let i = rng.random_range(0..len);
                seq[i].roll = roll(rng);
            }
            7 if len > 0 && len < depth => arm_before(rng, ctx, seq),
            8 if len > 0 && len < depth => follow_up(rng, ctx, seq),
            _ if len > 0 => {
                let i = rng.random_range(0..len);
                mutate_args(rng, ctx, &mut seq[i].op);
            }
            _ => seq.push(random_action(rng, ctx)),
        }
    }
    seq.truncate(depth.max(1));
}

/// Whether an op of `kind` has a field of a kind `wanted` accepts.
fn has_field(kind: OpKind, wanted: impl Fn(FieldKind) -> bool) -> bool {
    kind.spec().fields.iter().any(|f| wanted(f.kind))
}

/// Inserts, right after a step that spends a holding (an op with a [`FieldKind::Held`] field: a request, a
/// transfer), an op about a request (one with a [`FieldKind::RequestId`] field) by the same sender, about the
/// request a holder would act on, mostly once it is due (after a [`Op::WaitUntilDue`], which rolls to the block
/// it falls due, or one of the suite's delays): what a holder does next with the request it just
/// made. Drawn by field kinds, so every op about requests follows every op that spends; a campaign otherwise
/// reaches "the holder finalizes its own request once due" only by a product of independent draws. No spending
/// step: no change.
///
/// Sometimes the spending step is made twice (a second request on the same pool: something left in the pool's
/// books for a re-entry to take), and when the sender is a contract actor its callbacks are often armed, right
/// before the follow-up, to repeat the call it is making (the other hooks stay to `arm_before`): the attacker contract that re-enters the function that
/// pays it, the classic reentrancy, built in one mutation instead of four independent ones.
fn follow_up(rng: &mut SmallRng, ctx: &GenContext, seq: &mut Vec<Action>) {
    let spending: Vec<usize> = (0..seq.len())
        .filter(|&i| has_field(seq[i].op.kind(), |k| k.spends_senders_holding()))
        .collect();
    let about_requests: Vec<OpKind> = OpKind::ALL
        .into_iter()
        .filter(|k| k.spec().generated() && has_field(*k, |f| f == FieldKind::RequestId))
        .collect();
    if spending.is_empty() || (about_requests.is_empty() && ctx.id_entries.is_empty()) {
        return;
    }
    let at = spending[rng.random_range(0..spending.len())];
    // Mostly a semantic op about the request (it names the newest one whatever the sender holds), sometimes a
    // function of the ABI that takes an id.
    let abi = about_requests.is_empty() || (!ctx.id_entries.is_empty() && rng.random_bool(0.25));
    let kind = (!abi).then(|| about_requests[rng.random_range(0..about_requests.len())]);
    let op = match kind {
        Some(kind) => {
            let pool = seq[at].op.pool().unwrap_or(0);
            let mut args = random_op(rng, ctx, kind, pool).args();
            for (value, field) in args.iter_mut().zip(kind.spec().fields) {
                if field.kind == FieldKind::RequestId {
                    *value = ArgValue::U64(0);
                }
            }
            Op::from_args(kind, &args)
        }
        // A function of the compiled suite that takes an id, called with small even seeds: an id parameter then
        // names a request the sender holds, an address one of the first accounts (0: the sender itself).
        None => Op::AbiCall {
            entry: ctx.id_entries[rng.random_range(0..ctx.id_entries.len())],
            args: (0..4)
                .map(|_| U256::from(2 * rng.random_range(0u64..24)))
                .collect(),
            value: U256::ZERO,
        },
    };
    // Mostly when the request is due: a wait read from state (to the block it falls due) or one of the suite's
    // delays; sometimes right away.
    let (wait, roll) = match rng.random_range(0..10) {
        0..=3 => (true, 0),
        4..=6 => (false, ROLLS[rng.random_range(0..ROLLS.len())]),
        _ => (false, 0),
    };
    // Sometimes the chain is handed to a contract actor that first deposits for itself: the attacker contract
    // that holds shares, spends them and acts on its own request, whoever spent in the sequence as drawn.
    let mut at = at;
    if !is_contract_actor(ctx, seq[at].caller) && !ctx.contracts.is_empty() && rng.random_bool(0.3)
    {
        let actor = ctx.contracts[rng.random_range(0..ctx.contracts.len())];
        let pool = seq[at].op.pool().unwrap_or(0);
        let deposit = Action {
            caller: actor,
            roll: 0,
            op: receive_as(random_op(rng, ctx, OpKind::Submit, pool), actor),
            origin: None,
        };
        seq[at].set_caller(actor);
        seq.insert(at, deposit);
        at += 1;
    }
    let caller = seq[at].caller;
    let mut next = at + 1;
    if rng.random_bool(0.4) {
        let again = Action {
            roll: 0,
            ..seq[at].clone()
        };
        seq.insert(next, again);
        next += 1;
    }
    if wait {
        let until_due = Action {
            caller,
            roll: 0,
            op: Op::WaitUntilDue {},
            origin: None,
        };
        seq.insert(next, until_due);
        next += 1;
    }
    seq.insert(
        next,
        Action {
            caller,
            roll,
            op,
            origin: None,
        },
    );
    if is_contract_actor(ctx, caller) && rng.random_bool(0.8) {
        seq.insert(next, arm_hook(rng, ctx, caller, Some(HOOK_REPEAT)));
    }
}

/// A privileged account of `pool`: one of its role holders (governance among them), or the feeder.
fn privileged_account(rng: &mut SmallRng, ctx: &GenContext, pool: u8) -> u8 {
    let holders = &ctx.role_holders[pool as usize % ctx.role_holders.len()];
    if rng.random_range(0..=holders.len()) == holders.len() {
        ctx.feeder
    } else {
        holders[rng.random_range(0..holders.len())]
    }
}

/// Whether a step of `op` sent by actor index `caller` may carry a signer that takes effect (see
/// `Action::signer`): a contract actor's step the chain does not perform.
fn may_be_signed(ctx: &GenContext, caller: u8, op: &Op) -> bool {
    is_contract_actor(ctx, caller) && !op.is_system()
}

/// Whether actor index `caller` (taken modulo the number of actors, as planning does) is a contract actor.
fn is_contract_actor(ctx: &GenContext, caller: u8) -> bool {
    ctx.contracts.contains(&(caller % ctx.actors.max(1) as u8))
}

/// An op arming contract actor `actor`'s callbacks: a fresh hook and planned call, with `mode` when given.
fn arm_hook(rng: &mut SmallRng, ctx: &GenContext, actor: u8, mode: Option<u8>) -> Action {
    let mut args = random_op(rng, ctx, OpKind::ArmHook, 0).args();
    for (value, field) in args.iter_mut().zip(OpKind::ArmHook.spec().fields) {
        match field.kind {
            FieldKind::Actor(ActorDraw::Contract) => *value = ArgValue::Byte(actor),
            FieldKind::Hook => {
                if let Some(mode) = mode {
                    *value = ArgValue::Byte(mode);
                }
            }
            _ => {}
        }
    }
    Action {
        caller: actor,
        roll: 0,
        op: Op::from_args(OpKind::ArmHook, &args),
        origin: None,
    }
}

/// Inserts, before a step that a contract actor sends, an op arming that actor's callbacks (a fresh hook and
/// planned call): what the contract does when the step pays it or hands it a token is chosen per step, as a
/// real attacker contract would be written for the call it makes. No step of a contract actor: no change.
fn arm_before(rng: &mut SmallRng, ctx: &GenContext, seq: &mut Vec<Action>) {
    let theirs: Vec<usize> = (0..seq.len())
        .filter(|&i| is_contract_actor(ctx, seq[i].caller))
        .collect();
    if theirs.is_empty() {
        return;
    }
    let at = theirs[rng.random_range(0..theirs.len())];
    let hook = arm_hook(rng, ctx, seq[at].caller, None);
    seq.insert(at, hook);
}

/// A fresh action of dataflow step key `key` ([`step_key`]) about `pool`: an op of that kind, or a call of that
/// entry point with fresh arguments; `None` for a kind generation never draws.
fn action_of_key(
    rng: &mut SmallRng,
    ctx: &GenContext,
    key: usize,
    pool: u8,
    same_sender: Option<u8>,
) -> Option<Action> {
    match OpKind::ALL.get(key) {
        Some(kind) if kind.spec().generated() => {
            Some(random_action_of(rng, ctx, *kind, pool, same_sender))
        }
        Some(_) => None,
        None => {
            let entry = u16::try_from(key - OpKind::ALL.len()).ok()?;
            let op = match random_op(rng, ctx, OpKind::AbiCall, pool) {
                Op::AbiCall { args, value, .. } => Op::AbiCall { entry, args, value },
                other => other,
            };
            Some(action_for(rng, ctx, op, pool, same_sender))
        }
    }
}

/// One of the suite's delays ([`ROLLS`]).
fn delay(rng: &mut SmallRng) -> u32 {
    ROLLS[rng.random_range(0..ROLLS.len())]
}

/// The pool `step` is about, or a random one for a step about none.
fn pool_of(rng: &mut SmallRng, ctx: &GenContext, step: &Action) -> u8 {
    step.op
        .pool()
        .unwrap_or_else(|| rng.random_range(0..ctx.pools.max(1)) as u8)
}

/// A draw among `weighted` (key, weight) pairs, by weight; `None` when no weight is positive.
fn draw_weighted(rng: &mut SmallRng, weighted: &[(usize, f64)]) -> Option<usize> {
    let total: f64 = weighted.iter().map(|(_, w)| w).sum();
    if total.is_nan() || total <= 0.0 {
        return None;
    }
    let mut draw = rng.random_range(0.0..total);
    for (key, weight) in weighted {
        if draw < *weight {
            return Some(*key);
        }
        draw -= weight;
    }
    weighted.last().map(|(key, _)| *key)
}

/// Builds set-ups from the suite's learned dataflow ([`Dataflow`]), half the time in each direction:
///
/// - **back**: before a step that rarely takes effect (by [`Dataflow::need`]), inserts a step of a kind that
///   changed what such steps' guards read ([`Dataflow::enablers`]), often with one of the suite's delays
///   between them; then, sometimes, an enabler of that enabler, up to three deep;
/// - **forward**: after a step, inserts a step of a kind its kind may make possible ([`Dataflow::dependents`],
///   kinds that never took effect first), so a corpus entry that reached a new state (a boost activated) is
///   followed by what only that state allows; `effects`, when known, says which steps of `seq` took effect
///   ([`took_effect`](super::dataflow::took_effect)), and only those are followed.
///
/// Independent draws otherwise line up a multi-step set-up nobody wrote an op for only by chance. Nothing
/// learned for the chosen step: no change.
pub fn insert_enablers(
    rng: &mut SmallRng,
    ctx: &GenContext,
    seq: &mut Vec<Action>,
    depth: usize,
    flow: &Dataflow,
    effects: Option<&[bool]>,
) {
    if seq.is_empty() || seq.len() >= depth {
        return;
    }
    if rng.random_bool(0.5) {
        // A step whose kind may make possible what rarely happens, by how much.
        let mut known: Vec<(usize, Vec<(usize, f64)>)> = Vec::new();
        let mut by_step = Vec::with_capacity(seq.len());
        for (i, action) in seq.iter().enumerate() {
            let key = step_key(&action.op);
            let at = match known.iter().position(|(k, _)| *k == key) {
                Some(at) => at,
                None => {
                    known.push((key, flow.dependents(key)));
                    known.len() - 1
                }
            };
            // A step known to have done nothing makes nothing possible.
            let did_something = effects.is_none_or(|e| e.get(i).copied().unwrap_or(false));
            let weight = known[at].1.iter().map(|(_, w)| w).sum::<f64>();
            by_step.push((i, if did_something { weight } else { 0.0 }));
        }
        let Some(at) = draw_weighted(rng, &by_step) else {
            return;
        };
        let key = step_key(&seq[at].op);
        let dependents = &known.iter().find(|(k, _)| *k == key).expect("computed").1;
        insert_dependent(rng, ctx, seq, at, dependents);
        return;
    }
    // A step that rarely takes effect and has learned enablers, by its need.
    let needs: Vec<(usize, f64)> = seq
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let key = step_key(&a.op);
            (
                i,
                if flow.has_guards(key) {
                    flow.need(key)
                } else {
                    0.0
                },
            )
        })
        .collect();
    let Some(at) = draw_weighted(rng, &needs) else {
        return;
    };
    for _ in 0..3 {
        if seq.len() >= depth {
            return;
        }
        let Some(key) = draw_weighted(rng, &flow.enablers(step_key(&seq[at].op))) else {
            return;
        };
        let pool = pool_of(rng, ctx, &seq[at]);
        let same_sender = rng.random_bool(0.5).then_some(seq[at].caller);
        // Half the time the arguments seen changing the guard's slot (a fresh draw of the kind may not change it
        // at all: a report that is not the zero one), moved to this step's pool when it names one (else on the
        // pool it changed); only ops generation may send.
        let exemplar = if rng.random_bool(0.5) {
            let ops: Vec<&Op> = flow
                .exemplars(step_key(&seq[at].op), key)
                .into_iter()
                .filter(|op| op.kind().spec().generated())
                .collect();
            (!ops.is_empty()).then(|| {
                let op = ops[rng.random_range(0..ops.len())];
                match seq[at].op.pool() {
                    Some(here) => op.on_pool(here),
                    None => op.clone(),
                }
            })
        } else {
            None
        };
        let enabler = match exemplar {
            Some(op) => {
                let pool = op.pool().unwrap_or(pool);
                action_for(rng, ctx, op, pool, same_sender)
            }
            None => match action_of_key(rng, ctx, key, pool, same_sender) {
                Some(enabler) => enabler,
                None => return,
            },
        };
        if rng.random_bool(0.5) {
            seq[at].roll = delay(rng);
        }
        seq.insert(at, enabler);
        if !rng.random_bool(0.7) {
            return;
        }
    }
}

/// Inserts after step `at` a fresh step of a kind drawn from `dependents` (as [`Dataflow::dependents`] gives
/// them for the step's kind), about the step's pool, half the time after one of the suite's delays. When the
/// step names an account (an actor field: a spender, a receiver, a grantee), half the time it is sent by that
/// account, naming the step's sender in turn: what the step gave an account (an allowance, shares, a role) is
/// what that account acts with, on the one who gave it. Otherwise it is sent by the step's sender half the time.
/// No dependents: no change.
pub fn insert_dependent(
    rng: &mut SmallRng,
    ctx: &GenContext,
    seq: &mut Vec<Action>,
    at: usize,
    dependents: &[(usize, f64)],
) {
    let Some(key) = draw_weighted(rng, dependents) else {
        return;
    };
    let pool = pool_of(rng, ctx, &seq[at]);
    let step = &seq[at];
    let named = named_actor(&step.op).filter(|_| rng.random_bool(0.5));
    let same_sender = named.or_else(|| rng.random_bool(0.5).then_some(step.caller));
    let namer = step.caller;
    if let Some(mut dependent) = action_of_key(rng, ctx, key, pool, same_sender) {
        if let Some(account) = named {
            dependent.set_caller(account);
            dependent.op = naming(dependent.op, namer);
        }
        dependent.roll = if rng.random_bool(0.5) { delay(rng) } else { 0 };
        seq.insert(at + 1, dependent);
    }
}

/// The position of `kind`'s first actor field, if it has one.
fn first_actor_field(kind: OpKind) -> Option<usize> {
    kind.spec()
        .fields
        .iter()
        .position(|f| matches!(f.kind, FieldKind::Actor(_)))
}

/// The account `op`'s first actor field names, if it has one.
fn named_actor(op: &Op) -> Option<u8> {
    match op.args().get(first_actor_field(op.kind())?) {
        Some(ArgValue::Byte(actor)) => Some(*actor),
        _ => None,
    }
}

/// `op` with its first actor field set to `actor` (unchanged without one).
fn naming(op: Op, actor: u8) -> Op {
    let kind = op.kind();
    let Some(at) = first_actor_field(kind) else {
        return op;
    };
    let mut args = op.args();
    args[at] = ArgValue::Byte(actor);
    Op::from_args(kind, &args)
}

/// A small fixed generation context for unit tests (no world needed).
#[cfg(test)]
pub(crate) fn test_context() -> GenContext {
    GenContext {
        kind_boosts: vec![1.0; OpKind::ALL.len()],
        boundaries: vec![Vec::new(); OpKind::ALL.len()],
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
        entry_groups: Vec::new(),
        entry_needs: Vec::new(),
        outsiders: vec![8, 21],
        not_governance: (0..22).filter(|i| *i != 3 && *i != 0).collect(),
        contracts: vec![21],
        fee_holders: vec![vec![22, 23], vec![24, 23]],
        accounts: 30,
        report_bounds: vec![100, -500],
        id_entries: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    use super::test_context as context;

    #[test]
    fn every_op_description_matches_its_types_and_is_drawn() {
        let ctx = context();
        let mut rng = SmallRng::seed_from_u64(2);
        for kind in OpKind::ALL {
            let spec = kind.spec();
            for _ in 0..20 {
                let op = random_op(&mut rng, &ctx, kind, 1);
                let args = op.args();
                assert_eq!(args.len(), spec.fields.len(), "{}", spec.name);
                for (field, value) in spec.fields.iter().zip(&args) {
                    assert!(
                        field.kind.accepts(value),
                        "{}.{}: {:?} is not a {:?}",
                        spec.name,
                        field.name,
                        value,
                        field.kind
                    );
                }
                assert_eq!(Op::from_args(kind, &args), op);
                assert_eq!(op.pool().is_some(), spec.has_pool(), "{}", spec.name);
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..20_000 {
            seen.insert(random_action(&mut rng, &ctx).op.kind());
        }
        let generated: Vec<OpKind> = OpKind::ALL
            .into_iter()
            .filter(|k| k.spec().generated())
            .collect();
        assert_eq!(
            seen.into_iter().collect::<Vec<_>>(),
            generated,
            "every kind of weight > 0 is generated"
        );
        // Only the console's exact call is never generated.
        assert_eq!(OpKind::ALL.len() - generated.len(), 1);
    }

    /// A follow-up comes right after a spending step, from its sender, about the newest request.
    #[test]
    fn a_follow_up_acts_on_the_request_a_spending_step_made() {
        let ctx = context();
        let mut rng = SmallRng::seed_from_u64(5);
        let request = Action {
            origin: None,
            caller: 6,
            roll: 0,
            op: Op::RequestRedeem {
                pool: 1,
                shares: Amount::Held { held_bps: 5_000 },
                max_fee: U256::from(1u8),
                value: U256::from(1u8),
            },
        };
        let other = Action {
            origin: None,
            caller: 7,
            roll: 0,
            op: Op::Wait {},
        };
        let (mut twice, mut armed, mut waited, mut handed) = (0, 0, 0, 0);
        for sender in [6, 21] {
            for _ in 0..50 {
                let sent = Action {
                    caller: sender,
                    ..request.clone()
                };
                let mut seq = vec![other.clone(), sent.clone(), other.clone()];
                follow_up(&mut rng, &ctx, &mut seq);
                // Sometimes an account's chain is handed to a contract actor, which first deposits for itself
                // on the request's pool; the request is then its own.
                let caller = if seq[1].op.kind() == OpKind::Submit {
                    let actor = seq[1].caller;
                    assert!(!ctx.contracts.contains(&sender), "{seq:?}");
                    assert!(ctx.contracts.contains(&actor), "{seq:?}");
                    assert_eq!(seq[1].op.pool(), Some(1));
                    assert!(seq[1].op.args().contains(&ArgValue::Byte(actor)), "{seq:?}");
                    seq.remove(1);
                    handed += 1;
                    actor
                } else {
                    sender
                };
                let request = Action {
                    caller,
                    ..request.clone()
                };
                // After the request: maybe the same request again, maybe a wait until it is due, maybe the
                // sender's hook armed to repeat (a contract actor only), then the follow-up; the rest untouched.
                assert_eq!(seq[..2], [other.clone(), request.clone()]);
                assert_eq!(seq.last(), Some(&other));
                let mut added = &seq[2..seq.len() - 1];
                if added.len() > 1 && added[0].op == request.op {
                    twice += 1;
                    added = &added[1..];
                }
                if added.len() > 1 && added[0].op == (Op::WaitUntilDue {}) {
                    waited += 1;
                    added = &added[1..];
                }
                if let [hook, _] = added {
                    assert!(ctx.contracts.contains(&caller), "{seq:?}");
                    assert_eq!(hook.op.kind(), OpKind::ArmHook);
                    assert!(
                        hook.op.args().contains(&ArgValue::Byte(HOOK_REPEAT)),
                        "{hook:?}"
                    );
                    armed += 1;
                    added = &added[1..];
                }
                let [added] = added else {
                    panic!("{seq:?}");
                };
                assert_eq!(added.caller, caller, "{added:?}");
                assert!(
                    has_field(added.op.kind(), |k| k == FieldKind::RequestId),
                    "{added:?}"
                );
                assert!(
                    added.op.args().contains(&ArgValue::U64(0)),
                    "about the newest request: {added:?}"
                );
            }
        }
        assert!(
            twice > 0 && armed > 0 && waited > 0 && handed > 0,
            "twice {twice}, armed {armed}, waited {waited}, handed {handed}"
        );
        // With functions of the compiled ABI that take an id, a follow-up is sometimes a call of one of them by
        // the holder, its seeds small and even (an id seed then names a request the sender holds).
        let ctx = GenContext {
            id_entries: vec![7],
            ..ctx
        };
        let mut abi_calls = 0;
        for _ in 0..50 {
            let mut seq = vec![request.clone()];
            follow_up(&mut rng, &ctx, &mut seq);
            let last = seq.last().unwrap();
            let holder = seq.iter().find(|a| a.op == request.op).unwrap().caller;
            assert_eq!(last.caller, holder);
            if let Op::AbiCall { entry, args, .. } = &last.op {
                assert_eq!(*entry, 7);
                assert!(
                    args.iter().all(|w| *w < U256::from(48u8) && !w.bit(0)),
                    "{args:?}"
                );
                abi_calls += 1;
            }
        }
        assert!(abi_calls > 0);
        // Nothing spent: nothing to follow up.
        let mut seq = vec![other.clone()];
        follow_up(&mut rng, &ctx, &mut seq);
        assert_eq!(seq, vec![other]);
    }

    /// Steps build on each other: most ops that spend a holding are sent by an account that holds shares of that
    /// pool (a fee-share holder, or one an earlier step gave shares to), but not all of them (every lane stays
    /// open).
    /// What a step gave an account is what that account acts with: after `approve(spender)` by an owner, some
    /// fresh steps are sent by the spender naming the owner (a `transferFrom` of the owner's shares among them),
    /// and `insert_dependent` sends some dependents the same way.
    #[test]
    fn a_named_account_acts_on_the_one_who_named_it() {
        let ctx = context();
        let mut rng = SmallRng::seed_from_u64(4);
        let (owner, spender) = (5u8, 6u8);
        let approve = Action {
            origin: None,
            caller: owner,
            roll: 0,
            op: Op::ApproveShares {
                pool: 0,
                spender,
                amount: BERA,
            },
        };
        let swapped = |a: &Action| a.caller == spender && named_actor(&a.op) == Some(owner);
        let mut fresh = 0;
        let mut transfers_from = 0;
        for _ in 0..20_000 {
            let next = random_action_after(&mut rng, &ctx, std::slice::from_ref(&approve));
            if swapped(&next) {
                fresh += 1;
                transfers_from += usize::from(matches!(next.op, Op::TransferSharesFrom { .. }));
            }
        }
        // 15 % of draws, of which the kinds that name an account (a minority of the weights).
        assert!((300..3_000).contains(&fresh), "{fresh}");
        assert!(transfers_from > 0);
        let transfer_from = OpKind::TransferSharesFrom as usize;
        let mut inserted = 0;
        for _ in 0..400 {
            let mut seq = vec![approve.clone()];
            insert_dependent(&mut rng, &ctx, &mut seq, 0, &[(transfer_from, 1.0)]);
            inserted += usize::from(swapped(&seq[1]));
        }
        assert!((120..280).contains(&inserted), "{inserted}");
    }

    #[test]
    fn spending_ops_mostly_follow_a_receiver_of_the_same_pool() {
        let ctx = context();
        let mut rng = SmallRng::seed_from_u64(3);
        let (mut linked, mut spending) = (0usize, 0usize);
        for _ in 0..3_000 {
            let seq = random_sequence(&mut rng, &ctx, 30);
            for (i, step) in seq.iter().enumerate() {
                let spends = step
                    .op
                    .kind()
                    .spec()
                    .fields
                    .iter()
                    .any(|f| f.kind.spends_senders_holding());
                if !spends {
                    continue;
                }
                spending += 1;
                let here = (step.caller, step.op.pool().unwrap_or(u8::MAX));
                let fee_holder =
                    ctx.fee_holders[here.1 as usize % ctx.fee_holders.len()].contains(&here.0);
                linked += usize::from(
                    fee_holder || seq[..i].iter().filter_map(receiver_of).any(|r| r == here),
                );
            }
        }
        let share = linked as f64 / spending as f64;
        assert!(spending > 1_000, "{spending}");
        assert!((0.5..0.95).contains(&share), "{linked} of {spending}");
    }

    #[test]
    fn a_compared_argument_is_replaced_by_its_operand() {
        let word = |v: u64| U256::from(v);
        let set = Op::SetMinEffectiveBalance {
            pool: 0,
            value: word(7),
        };
        assert_eq!(
            place_value(&set, word(7), word(9)),
            Some(Op::SetMinEffectiveBalance {
                pool: 0,
                value: word(9)
            })
        );
        // No field of it was sent as 8.
        assert_eq!(place_value(&set, word(8), word(9)), None);
        let request = |amount_gwei, value| Op::RequestWithdrawal {
            pool: 1,
            amount_gwei,
            max_fee: word(2),
            value,
        };
        let half = Amount::Held { held_bps: 5_000 };
        // The field sent as the argument, exactly, before a portion of a holding.
        assert_eq!(
            place_value(&request(half, word(3)), word(3), word(4)),
            Some(request(half, word(4)))
        );
        // A portion, resolved when the step ran, may have been the argument: it becomes exact.
        assert_eq!(
            place_value(&request(half, word(3)), word(1_000), word(999)),
            Some(request(Amount::Exact(word(999)), word(3)))
        );
    }

    /// Governance setting pool 0's minimum effective balance to `value`: a step with one exact value field.
    fn set(value: U256) -> Action {
        Action {
            origin: None,
            caller: 3,
            roll: 0,
            op: Op::SetMinEffectiveBalance { pool: 0, value },
        }
    }

    #[test]
    fn a_comparison_met_first_is_tried_below_on_and_above_its_edge_in_its_own_state() {
        let word = |v: u64| U256::from(v);
        let sequence = vec![set(word(1)), set(word(7)), set(word(2))];
        let cmp = ArgumentComparison {
            step: 1,
            kind: OpKind::SetMinEffectiveBalance as u16,
            argument: word(7),
            operand: word(9),
            site: 0,
        };
        // The steps after the compared one are dropped: they cannot change what it does.
        assert_eq!(
            edge_tries(&sequence, &cmp),
            vec![
                vec![set(word(1)), set(word(8))],
                vec![set(word(1)), set(word(9))],
                vec![set(word(1)), set(word(10))],
            ]
        );
        // An operand of 0 has no value below it.
        let at_zero = ArgumentComparison {
            operand: U256::ZERO,
            ..cmp
        };
        assert_eq!(
            edge_tries(&sequence, &at_zero),
            vec![
                vec![set(word(1)), set(U256::ZERO)],
                vec![set(word(1)), set(word(1))]
            ]
        );
        // No field of the step was sent as the argument: nothing to try.
        let elsewhere = ArgumentComparison {
            argument: word(5),
            ..cmp
        };
        assert!(edge_tries(&sequence, &elsewhere).is_empty());
    }

    #[test]
    fn the_root_of_a_line_through_two_gaps_lands_an_affine_comparison_on_its_edge() {
        let word = |v: u64| U256::from(v);
        let signed = |v: i64| I256::try_from(v).unwrap();
        // One for one: a deposit of 100 leaves the deposits 50 short of a threshold, one of 150 meets it.
        assert_eq!(
            affine_root(word(100), signed(-50), word(150), signed(0)),
            Some(word(150))
        );
        // Against the argument, and in gwei: what a request of 10 gwei leaves is 5 gwei over, 12 gwei 3 over.
        let gwei = 1_000_000_000i64;
        assert_eq!(
            affine_root(word(10), signed(5 * gwei), word(12), signed(3 * gwei)),
            Some(word(15))
        );
        // A price: the gap moves 3 per 2 of the argument, so the root is rounded toward the first argument.
        assert_eq!(
            affine_root(word(10), signed(-10), word(20), signed(5)),
            Some(word(16))
        );
        // The gap did not move: the comparison does not depend on the argument.
        assert_eq!(
            affine_root(word(10), signed(-7), word(20), signed(-7)),
            None
        );
        // A root at or below zero is no amount, nor is one wider than 128 bits.
        assert_eq!(
            affine_root(word(10), signed(10), word(20), signed(20)),
            None
        );
        assert_eq!(
            affine_root(word(10), signed(30), word(20), signed(40)),
            None
        );
        let wide = I256::try_from(U256::from(1u8) << 127usize).unwrap();
        assert_eq!(
            affine_root(word(10), -wide, word(11), signed(1) - wide),
            Some((U256::from(1u8) << 127usize) + word(10))
        );
        assert_eq!(
            affine_root(word(10), -wide - wide, word(11), signed(1) - wide - wide),
            None
        );
    }

    #[test]
    fn a_steps_state_comparisons_are_probed_together_and_their_roots_tried_below_on_and_above() {
        let word = |v: u64| U256::from(v);
        let sequence = vec![set(word(1)), set(word(100_000)), set(word(2))];
        let cmp = |site, argument, left, right| StateComparison {
            step: 1,
            kind: OpKind::SetMinEffectiveBalance as u16,
            argument: word(argument),
            left: word(left),
            right: word(right),
            site,
        };
        let met = [
            cmp(9, 100_000, 1_100_000, 1_400_000),
            cmp(8, 100_000, 500_000, 70_000),
            cmp(6, 100_000, 2_000_000, 2_100_000),
            // The first meeting at a site counts; another argument's comparisons are another probe's.
            cmp(9, 100_000, 1_200_000, 1_400_000),
            cmp(7, 5_000_000, 1, 2),
        ];
        // The probe halves the argument and drops the later steps.
        let probe = secant_probe(&sequence, &met).expect("a probe");
        assert_eq!(probe.sequence, vec![set(word(1)), set(word(50_000))]);
        assert_eq!(probe.probe, word(50_000));
        assert_eq!(
            probe.gaps.iter().map(|(site, _)| *site).collect::<Vec<_>>(),
            vec![9, 8, 6]
        );
        // Its run meets site 9 with the left side down by the same 50,000 (the root, 400,000, lands it; a later
        // meeting there does not count), site 8 unmoved (no root), and site 6 with the right side up by 50,000 (it
        // falls as the argument grows: root 200,000).
        let again = [
            cmp(9, 50_000, 1_050_000, 1_400_000),
            cmp(9, 50_000, 1_000, 1_400_000),
            cmp(8, 50_000, 500_000, 70_000),
            cmp(6, 50_000, 2_000_000, 2_150_000),
        ];
        let tried = |tries: Vec<Vec<Action>>| {
            tries
                .into_iter()
                .map(|t| {
                    assert_eq!(t.len(), 2, "the probe's sequence, one value moved");
                    assert_eq!(t[0], set(word(1)));
                    match t[1].op {
                        Op::SetMinEffectiveBalance { value, .. } => value.to::<u64>(),
                        ref other => panic!("not a try of the probe: {other:?}"),
                    }
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(
            tried(probe.tries(&again, 4)),
            vec![399_999, 400_000, 400_001, 199_999, 200_000, 200_001]
        );
        // At most `max_roots` roots, in the order met.
        assert_eq!(
            tried(probe.tries(&again, 1)),
            vec![399_999, 400_000, 400_001]
        );
        assert!(probe.tries(&again, 0).is_empty());
        // Not met again (another step, or another argument): nothing to try.
        assert!(probe
            .tries(
                &[StateComparison {
                    step: 0,
                    ..again[0]
                }],
                4
            )
            .is_empty());
        assert!(probe.tries(&met, 4).is_empty());
        // An argument whose half has 8 bits or less is no amount: no probe.
        assert_eq!(secant_probe(&sequence, &[cmp(9, 300, 1_100, 1_400)]), None);
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
