//! Runs one sequence from the deployed snapshot: execute, observe, check after every step.

use std::collections::HashSet;

use alloy_primitives::U256;
use poolguard_invariants::{check_all, Check, Ghost, Observation, StepRecord, Violation};

use crate::actions::Action;
use crate::evm::{CoverageInspector, Frame, IdSet, StateAccess};
use crate::execute::execute;
use crate::observe::Observer;
use crate::world::World;

/// When a run stops early.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StopOn {
    /// Run every step.
    Never,
    /// Stop at the first violation of any invariant.
    AnyViolation,
    /// Stop at the first violation of this invariant.
    Invariant(String),
}

/// What one run produced.
#[derive(Debug, Clone, Default)]
pub struct RunResult {
    /// One record per executed step.
    pub steps: Vec<StepRecord>,
    /// Violations, in step order (each invariant at most once per run).
    pub violations: Vec<Violation>,
    /// Coverage edges hit (deduplicated).
    pub edges: IdSet,
    /// Each edge of [`RunResult::edges`] with the index of the step that hit it first.
    pub first_hits: Vec<(u64, u32)>,
    /// Behaviour features hit (deduplicated; see [`behaviour_features`]): collected with the edges.
    pub features: IdSet,
    /// Comparison operands seen.
    pub cmps: Vec<(U256, U256)>,
    /// Each comparison the suite made of one of a step's arguments (an ABI word or `msg.value`) with another
    /// amount (with coverage only), in step order: where replaying the sequence with that step's argument set to
    /// the operand reaches the edge in the very state it was compared in ([`RunResult::boundaries`] by kind).
    pub argument_cmps: Vec<ArgumentComparison>,
    /// Comparisons of two amounts neither of which was an argument, each paired with an amount argument of its step
    /// (with coverage only), in step order: checks on a value the argument may feed, which a probe solves for
    /// ([`SecantProbe`](super::strategy::SecantProbe)).
    pub state_cmps: Vec<StateComparison>,
    /// Amounts the suite showed (with coverage only): words of successful calls' return data and the last
    /// observation's books (assets, supply, buffers, vault funds, balances, requests): values the dictionary
    /// learns, so later amounts can hit them exactly.
    pub seen_values: Vec<U256>,
    /// Readable trace lines, when asked for.
    pub trace: Vec<String>,
    /// Nested call frames (not the top-level call) that returned successfully inside a successful step:
    /// entry points the suite reaches only through another contract (`receiveRewards`, `notifyRedeemRequest`).
    pub inner_successes: Vec<Frame>,
    /// With coverage, the storage each step changed and its last loads, in step order (what
    /// [`Dataflow`](super::dataflow::Dataflow) learns enablers from).
    pub access: Vec<StateAccess>,
}

/// A comparison the suite made between an argument of one step (an ABI word or `msg.value`) and another amount,
/// in that step's state. Runs are deterministic, so the same sequence with that argument set to the operand (or
/// one either side) meets the same comparison on its edge: Redqueen's input-to-state replacement, which lands a
/// threshold that depends on state (the room left, a holder's balance, the live `totalDeposits`) exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArgumentComparison {
    /// Index of the step in the sequence.
    pub step: u32,
    /// The step's op kind (its index in `OpKind::ALL`).
    pub kind: u16,
    /// The argument's value as the step sent it.
    pub argument: U256,
    /// What the suite compared it with.
    pub operand: U256,
    /// Where (the comparison's [`site_id`](crate::evm::inspect::site_id)): one check, whatever its operands.
    pub site: u64,
}

/// A comparison the suite made between two amounts in a step, neither of them one of the step's arguments, paired
/// with one amount argument of that step. The argument may feed one side through arithmetic (the deposits a deposit
/// leaves, what a withdrawal takes from `totalDeposits`): input-to-state replacement
/// cannot see that, but two runs give the line through both gaps, and its root lands the check on its edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StateComparison {
    /// Index of the step in the sequence.
    pub step: u32,
    /// The step's op kind (its index in `OpKind::ALL`).
    pub kind: u16,
    /// An amount argument of the step, as it was sent.
    pub argument: U256,
    /// The comparison's first operand.
    pub left: U256,
    /// Its second operand.
    pub right: U256,
    /// Where (the comparison's [`site_id`](crate::evm::inspect::site_id)).
    pub site: u64,
}

impl RunResult {
    /// Input-to-state boundaries: for a step of op kind `kind` (its index in `OpKind::ALL`), each value the suite
    /// compared one of the call's arguments with ([`RunResult::argument_cmps`]). The generator tries these, and
    /// one either side, as that kind's arguments: the edge of a check the suite makes (a cap, a threshold, the room
    /// left) lands exactly, where a random draw almost never does.
    pub fn boundaries(&self) -> impl Iterator<Item = (u16, U256)> + '_ {
        self.argument_cmps.iter().map(|cmp| (cmp.kind, cmp.operand))
    }
}

/// What a run collects besides its steps and violations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunOptions {
    /// Run every call under a fresh coverage inspector and collect its edges and comparison operands
    /// ([`RunResult::edges`], [`RunResult::cmps`]).
    pub collect_coverage: bool,
    /// Keep a readable line per step, and one per violation ([`RunResult::trace`]).
    pub keep_trace: bool,
}

impl RunOptions {
    /// Steps and violations only: no coverage, no trace.
    pub const BARE: RunOptions = RunOptions {
        collect_coverage: false,
        keep_trace: false,
    };
}

/// Runs `sequence` on `world` after resetting it, collecting what `options` asks for.
pub fn run_sequence(
    world: &mut World,
    observer: &Observer,
    sequence: &[Action],
    stop: &StopOn,
    options: RunOptions,
) -> RunResult {
    let mut inspector = options
        .collect_coverage
        .then(|| CoverageInspector::new().with_code_aliases(world.code_aliases.clone()));
    run_sequence_with(
        world,
        observer,
        sequence,
        stop,
        inspector.as_mut(),
        if options.keep_trace {
            Trace::Lines
        } else {
            Trace::Off
        },
    )
}

/// What a step achieved, by whom, as coverage: for a successful step `(entry point or op, class of the sender,
/// classes of the accounts the calldata names)`, and for each re-entry from a callback `(entry point, class of
/// the re-entering contract, whether it succeeded)`. Code edges alone do not tell a contract actor's successful
/// request from a staker's (the same branches run), so a campaign guided by edges only never keeps the first as
/// a stepping stone; these features make "a new kind of account did this" worth keeping. Failed steps add none:
/// the branch that refused them is an edge already, and a feature per refusal would flood the corpus.
pub fn behaviour_features(world: &World, step: &StepRecord) -> Vec<u64> {
    let class = |a| world.actors.class(a);
    let mut out = Vec::new();
    if step.success {
        let mut named: Vec<_> = step.named.iter().map(|a| class(*a)).collect();
        named.sort();
        named.dedup();
        let what = step.entry.as_deref().unwrap_or(&step.op);
        out.push(feature_id(&format!(
            "step {what} {:?} {named:?}",
            class(step.caller)
        )));
    }
    for r in &step.events.reentries {
        out.push(feature_id(&format!(
            "reenter {} {:?} {}",
            r.entry.as_deref().unwrap_or("?"),
            class(r.by),
            r.success
        )));
    }
    out
}

fn feature_id(text: &str) -> u64 {
    let hash = alloy_primitives::keccak256(text.as_bytes());
    u64::from_be_bytes(hash[..8].try_into().expect("8 bytes"))
}

/// Whether a run keeps a readable line per step ([`RunResult::trace`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Trace {
    /// No trace lines (campaigns, the libFuzzer harness).
    #[default]
    Off,
    /// One line per step and one per violation (replay, the shrunk finding).
    Lines,
}

/// One sequence in progress: the observation after the last step, the ghost ledger and the next step's index.
/// [`run_sequence_with`] drives one from start to end; `poolguard console` drives one a command at a time.
#[derive(Debug, Clone)]
pub struct Stepper {
    /// The observation after the last step (of the reset world before the first).
    pub prev: Observation,
    /// What the harness recorded so far.
    pub ghost: Ghost,
    /// The index the next step gets.
    pub index: usize,
}

/// What one step did.
#[derive(Debug, Clone)]
pub struct StepOutcome {
    /// The step's record (events decoded, suite call matched).
    pub record: StepRecord,
    /// Every invariant it violated (including ones an earlier step violated already).
    pub violations: Vec<Violation>,
    /// The raw logs of the call (none for a plain roll or a rejected transaction).
    pub logs: Vec<alloy_primitives::Log>,
    /// The call's return data (revert data when it reverted; empty for a plain roll).
    pub output: alloy_primitives::Bytes,
    /// The storage the call changed (empty without an inspector, for a plain roll or a rejected
    /// transaction).
    pub access: StateAccess,
    /// With an inspector, the call's arguments: each 32-byte ABI word after the selector, and `msg.value`.
    pub arguments: Vec<U256>,
}

impl Stepper {
    /// Resets `world` to its deployed snapshot and observes it.
    pub fn start(world: &mut World, observer: &Observer) -> Self {
        world.reset();
        let prev = observer.observe(world);
        let ghost = Ghost::new(&prev);
        Stepper {
            prev,
            ghost,
            index: 0,
        }
    }

    /// Executes `action` (under `inspector` when given), observes the result and checks every invariant.
    pub fn step(
        &mut self,
        world: &mut World,
        observer: &Observer,
        action: &Action,
        inspector: Option<&mut CoverageInspector>,
    ) -> StepOutcome {
        let inspected = inspector.is_some();
        let mut executed = execute(world, observer, action, self.index, inspector);
        let arguments = if inspected {
            let planned = &executed.planned;
            planned
                .data
                .get(4..)
                .unwrap_or_default()
                .chunks_exact(32)
                .map(U256::from_be_slice)
                .chain([planned.value])
                .collect()
        } else {
            Vec::new()
        };
        let access = executed
            .outcome
            .as_mut()
            .map(|o| std::mem::take(&mut o.access))
            .unwrap_or_default();
        let output = executed
            .outcome
            .as_ref()
            .map(|o| o.output.clone())
            .unwrap_or_default();
        let (record, logs) = observer.step_record_and_logs(world, executed);
        let next = observer.observe(world);
        self.ghost.update(&self.prev, &next, &record);
        let violations = check_all(&Check {
            prev: &self.prev,
            next: &next,
            step: &record,
            ghost: &self.ghost,
        });
        self.prev = next;
        self.index += 1;
        StepOutcome {
            record,
            violations,
            logs,
            output,
            access,
            arguments,
        }
    }
}

/// [`run_sequence`] with the caller's coverage inspector (e.g. one with a
/// [sink](CoverageInspector::with_sink) that feeds libFuzzer); `None` runs without coverage. The inspector is
/// drained after every step, its edges and comparison operands collected into the result.
pub fn run_sequence_with(
    world: &mut World,
    observer: &Observer,
    sequence: &[Action],
    stop: &StopOn,
    mut inspector: Option<&mut CoverageInspector>,
    trace: Trace,
) -> RunResult {
    let mut stepper = Stepper::start(world, observer);
    let mut result = RunResult::default();
    if let Some(inspector) = inspector.as_mut() {
        inspector.clear();
    }
    let mut seen: HashSet<String> = HashSet::new();
    for (index, action) in sequence.iter().enumerate() {
        let description = (trace == Trace::Lines).then(|| action.describe(world));
        let StepOutcome {
            record,
            violations,
            output,
            access,
            arguments,
            ..
        } = stepper.step(world, observer, action, inspector.as_deref_mut());
        if inspector.is_some() && record.success {
            result.seen_values.extend(
                output
                    .chunks_exact(32)
                    .take(4)
                    .map(U256::from_be_slice)
                    .filter(|v| is_amount(*v)),
            );
        }
        if let Some(inspector) = inspector.as_mut() {
            // What the harness's own contracts (the contract actors) keep is no part of the suite's dataflow.
            let mut access = access;
            access.last_loads = inspector.take_last_loads();
            access.retain_accounts(|a| !world.actors.is_contract(a));
            result.access.push(access);
            let (edges, cmps, sites) = inspector.take_with_sites();
            for edge in edges {
                if result.edges.insert(edge) {
                    result.first_hits.push((edge, index as u32));
                }
            }
            let kind = action.op.kind() as u16;
            // Small words are mostly flags, indices and ABI offsets, and 128-bit ones addresses or hashes: only
            // an amount compared with an amount is a boundary.
            let argument = |v: &U256| v.bit_len() > 8 && is_amount(*v) && arguments.contains(v);
            let compared = |argument, operand, site| ArgumentComparison {
                step: index as u32,
                kind,
                argument,
                operand,
                site,
            };
            result.argument_cmps.extend(
                cmps.iter()
                    .zip(&sites)
                    .filter(|((a, b), _)| a != b)
                    .filter_map(|(&(a, b), &site)| match (argument(&a), argument(&b)) {
                        (true, false) if is_amount(b) => Some(compared(a, b, site)),
                        (false, true) if is_amount(a) => Some(compared(b, a, site)),
                        _ => None,
                    })
                    .take(MAX_BOUNDARIES_PER_STEP),
            );
            // The same step's other comparisons of two amounts, each with every amount argument of the step.
            let mut amounts: Vec<U256> = Vec::new();
            for v in arguments.iter().filter(|v| argument(v)) {
                if !amounts.contains(v) {
                    amounts.push(*v);
                }
            }
            if !amounts.is_empty() {
                let state_amount =
                    |v: &U256| v.bit_len() > 8 && is_amount(*v) && !arguments.contains(v);
                // The first meeting at each site (a probe reads that one), capped, then grouped by argument (a
                // probe moves one argument and reads all of them).
                let mut compared: Vec<StateComparison> = Vec::new();
                for (&(left, right), &site) in cmps.iter().zip(&sites) {
                    if compared.len() >= MAX_STATE_CMPS_PER_STEP {
                        break;
                    }
                    // Two words of 32 bits or less are a function selector and a dispatch constant, a block
                    // number, a count: not amounts an argument feeds.
                    let amounts_compared = left != right
                        && state_amount(&left)
                        && state_amount(&right)
                        && left.max(right).bit_len() > 32;
                    if amounts_compared && !compared.iter().any(|c| c.site == site) {
                        compared.push(StateComparison {
                            step: index as u32,
                            kind,
                            argument: amounts[0],
                            left,
                            right,
                            site,
                        });
                    }
                }
                for &argument in &amounts {
                    result
                        .state_cmps
                        .extend(compared.iter().map(|c| StateComparison { argument, ..*c }));
                }
            }
            result.cmps.extend(cmps);
            result.features.extend(behaviour_features(world, &record));
            let mut frames = inspector.take_frames();
            // The top-level call ends last; it is the step itself.
            frames.pop();
            if record.success {
                result
                    .inner_successes
                    .extend(frames.into_iter().filter(|f| f.success));
            }
        }
        if let Some(line) = description {
            result
                .trace
                .push(format!("#{index:<3} {line} -> {}", outcome_text(&record)));
            for v in &violations {
                result
                    .trace
                    .push(format!("     VIOLATION {}: {}", v.invariant, v.message));
            }
        }
        result.steps.push(record);
        let mut stop_now = false;
        for v in violations {
            if !seen.insert(v.invariant.clone()) {
                continue;
            }
            stop_now |= match stop {
                StopOn::Never => false,
                StopOn::AnyViolation => true,
                StopOn::Invariant(id) => *id == v.invariant,
            };
            result.violations.push(v);
        }
        if stop_now {
            break;
        }
    }
    if inspector.is_some() {
        let last = &stepper.prev;
        let books = last.pools.iter().flat_map(|p| {
            [
                p.total_assets,
                p.total_supply,
                p.buffered_assets,
                p.pending_rewards_net,
                p.vault_funds,
                p.vault_owed,
                p.expected_cl_balance,
                p.precharged,
                p.rebaseable_bgt,
            ]
            .into_iter()
            .chain(p.share_balances.iter().copied())
        });
        let requests = last.requests.iter().flat_map(|r| [r.assets, r.shares]);
        result
            .seen_values
            .extend(books.chain(requests).filter(|v| is_amount(*v)));
    }
    result
}

/// At most this many input-to-state boundaries are learned from one step.
const MAX_BOUNDARIES_PER_STEP: usize = 8;
/// At most this many sites of [`StateComparison`]s are kept from one step, each paired with every amount argument
/// (a deposit collects rewards first, so its own checks come after a few dozen others).
const MAX_STATE_CMPS_PER_STEP: usize = 48;

/// A word worth learning as an amount: neither zero nor as large as an address or a hash.
fn is_amount(v: U256) -> bool {
    !v.is_zero() && v.bit_len() <= 128
}

/// `ok`, `ok (no call)` for a step that sent no transaction (a roll, or an op with nothing to do in this state),
/// or `reverted: <reason>`.
pub fn outcome_text(record: &StepRecord) -> String {
    match &record.revert {
        None if record.target.is_none() => "ok (no call)".to_string(),
        None => "ok".to_string(),
        Some(reason) => format!("reverted: {reason}"),
    }
}
