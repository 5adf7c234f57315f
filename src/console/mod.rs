//! `poolguard console`: an auditor's interactive session on the deployed world. Every op is typed in a readable
//! form read from the op descriptions (`submit staker1 pool0 1000e18`), any state-changing function through
//! `call`, the chain moved with `roll`; after each step the outcome is decoded (revert reasons by custom-error
//! name, events by name) and every invariant is checked. A finding or sequence loads to be stepped through;
//! `save` writes a finding file that `replay`, `gate --regressions` and the exports accept.
//!
//! The session ([`Session`]) takes one command line at a time and returns its text, so the interactive loop
//! ([`repl`]), `--script` and tests drive the same code.

pub mod parse;
mod repl;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use alloy_dyn_abi::EventExt;
use alloy_json_abi::Event;
use alloy_primitives::{Log, B256};
use poolguard_invariants::{StepRecord, Violation, CATALOG};

use crate::actions::{abi, Action, Op, OpKind};
use crate::compile::{poolguard_command, suite_root, Artifacts, DEFAULT_CONTRACTS};
use crate::engine::finding::{Finding, FINDING_FORMAT};
use crate::engine::replayable::load_replayable;
use crate::engine::runner::{outcome_text, Stepper};
use crate::evm::{CoverageInspector, Frame};
use crate::fuzzinput::Alphabet;
use crate::observe::Observer;
use crate::world::World;

/// What `poolguard console` was asked for.
#[derive(Debug, Clone, Default)]
pub struct ConsoleOptions {
    /// Run on this broken variant (default: the loaded file's, else the suite itself).
    pub variant: Option<String>,
    /// Pools in a fresh world (a loaded file says its own).
    pub pools: usize,
    /// A finding or sequence file to load.
    pub file: Option<PathBuf>,
    /// Run the commands of this file instead of reading the terminal.
    pub script: Option<PathBuf>,
}

/// Runs the console. `Ok(true)` when some step violated an invariant (exit 1, as `replay` does).
pub fn console(contracts: &Path, options: &ConsoleOptions) -> anyhow::Result<bool> {
    let loaded = match &options.file {
        Some(file) => Some(load_replayable(file, Alphabet::Full)?.0),
        None => None,
    };
    let variant = match &loaded {
        Some(finding) => finding
            .variant_to_rebuild(options.variant.as_deref())
            .map(str::to_string),
        None => options.variant.clone(),
    };
    let pools = loaded.as_ref().map_or(options.pools, |f| f.pools).max(1);
    let root = suite_root(contracts, variant.as_deref())?;
    let (world, artifacts) = World::build(&root, pools)?;
    let mut session = Session::new(world, &artifacts, variant).with_contracts(contracts);
    if let (Some(finding), Some(file)) = (loaded, &options.file) {
        finding.warn_if_other_suite(&session.world);
        finding
            .check_indices(&session.world)
            .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
        println!("{}", session.load(finding.sequence));
    }
    match &options.script {
        Some(script) => repl::script(&mut session, script)?,
        None => repl::interactive(&mut session)?,
    }
    Ok(session.violated())
}

/// What a command asks of the loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flow {
    /// Go on reading commands.
    Continue,
    /// Leave the console.
    Quit,
}

/// A command's reply: its text and what the loop does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// What to print.
    pub text: String,
    /// Whether to go on.
    pub flow: Flow,
}

impl Reply {
    fn text(text: String) -> Self {
        Reply {
            text,
            flow: Flow::Continue,
        }
    }
}

/// One step's details, kept for `trace`.
#[derive(Debug, Clone)]
struct LastStep {
    record: StepRecord,
    logs: Vec<Log>,
    frames: Vec<Frame>,
}

/// A saved point of the session (`snapshot`/`restore`).
#[derive(Debug, Clone)]
struct Saved {
    world: World,
    stepper: Stepper,
    steps: Vec<Action>,
    lines: Vec<String>,
    seen: Vec<Violation>,
}

/// Names of events and functions, from every compiled ABI, for decoding logs and call frames.
#[derive(Debug, Clone, Default)]
struct Names {
    /// Events by selector; one selector may have several (ERC-20's and ERC-721's `Transfer` differ in what is
    /// indexed).
    events: BTreeMap<B256, Vec<Event>>,
    functions: BTreeMap<[u8; 4], String>,
}

impl Names {
    fn new(artifacts: &Artifacts) -> Self {
        let mut names = Names::default();
        for contract in artifacts.iter() {
            for event in contract.abi.events() {
                if !event.anonymous {
                    let same = names.events.entry(event.selector()).or_default();
                    if !same.contains(event) {
                        same.push(event.clone());
                    }
                }
            }
            for function in contract.abi.functions() {
                names
                    .functions
                    .entry(function.selector().0)
                    .or_insert_with(|| function.name.clone());
            }
        }
        names
    }

    /// `Name(arg=value, …)`, or the raw topic when no ABI has the event.
    fn event(&self, world: &World, log: &Log) -> String {
        let emitter = world.label(log.address);
        let indexed = log.topics().len().saturating_sub(1);
        let Some(event) = log
            .topics()
            .first()
            .and_then(|t| self.events.get(t))
            .and_then(|same| {
                same.iter()
                    .find(|e| e.inputs.iter().filter(|p| p.indexed).count() == indexed)
            })
        else {
            return format!("{emitter}: unknown event {:?}", log.topics().first());
        };
        let Ok(decoded) = event.decode_log(&log.data) else {
            return format!("{emitter}: {} (undecodable)", event.name);
        };
        let (mut indexed, mut body) = (decoded.indexed.iter(), decoded.body.iter());
        let args: Vec<String> = event
            .inputs
            .iter()
            .map(|p| {
                let value = if p.indexed {
                    indexed.next()
                } else {
                    body.next()
                };
                let shown = value.map_or_else(|| "?".to_string(), |v| abi::show(v, world));
                format!("{}={shown}", p.name)
            })
            .collect();
        format!("{emitter}: {}({})", event.name, args.join(", "))
    }
}

/// A console session: the world, the steps run on it, a loaded sequence to step through, saved snapshots.
pub struct Session {
    world: World,
    observer: Observer,
    names: Names,
    stepper: Stepper,
    variant: Option<String>,
    /// The suite as given with `--contracts`, for the `replay` command `save` prints.
    contracts: PathBuf,
    /// The steps run, in order.
    steps: Vec<Action>,
    /// Their trace lines (with violations).
    lines: Vec<String>,
    /// A sequence to step through (a loaded file, or steps `back` went back over).
    loaded: Vec<Action>,
    /// Every violation seen since the session (or the last `goto`/`restore`) started, in step order.
    seen: Vec<Violation>,
    /// Whether any step ever violated an invariant (the exit code).
    ever_violated: bool,
    last: Option<LastStep>,
    snapshots: BTreeMap<String, Saved>,
}

impl Session {
    /// A session on `world` as deployed.
    pub fn new(mut world: World, artifacts: &Artifacts, variant: Option<String>) -> Self {
        let observer = Observer::new(&world);
        let stepper = Stepper::start(&mut world, &observer);
        Session {
            names: Names::new(artifacts),
            world,
            observer,
            stepper,
            variant,
            contracts: PathBuf::from(DEFAULT_CONTRACTS),
            steps: Vec::new(),
            lines: Vec::new(),
            loaded: Vec::new(),
            seen: Vec::new(),
            ever_violated: false,
            last: None,
            snapshots: BTreeMap::new(),
        }
    }

    /// The session on the suite given as `contracts` (`--contracts`; default [`DEFAULT_CONTRACTS`]), which the
    /// `replay` command that `save` prints names where the default would not find it.
    pub fn with_contracts(mut self, contracts: &Path) -> Self {
        self.contracts = contracts.to_path_buf();
        self
    }

    /// The world as it is now.
    pub fn world(&self) -> &World {
        &self.world
    }

    /// Whether any step of the session violated an invariant.
    pub fn violated(&self) -> bool {
        self.ever_violated
    }

    /// Loads `sequence` to step through from the deployed world.
    pub fn load(&mut self, sequence: Vec<Action>) -> String {
        self.loaded = sequence;
        self.reset_to(0);
        format!(
            "loaded {} steps: `step` runs the next, `goto N` runs up to step N, `list` shows them",
            self.loaded.len()
        )
    }

    /// Runs one command line.
    pub fn command(&mut self, line: &str) -> Result<Reply, String> {
        let words = parse::words(line)?;
        let Some((name, args)) = words.split_first() else {
            return Ok(Reply::text(String::new()));
        };
        let text = match name.as_str() {
            "help" | "?" => help(args.first().map(String::as_str))?,
            "quit" | "exit" => {
                return Ok(Reply {
                    text: String::new(),
                    flow: Flow::Quit,
                })
            }
            "roll" => {
                let blocks = args
                    .first()
                    .ok_or("usage: roll BLOCKS")?
                    .replace('_', "")
                    .parse::<u32>()
                    .map_err(|_| "usage: roll BLOCKS (a whole number of blocks)")?;
                self.run(Action {
                    caller: 0,
                    roll: blocks,
                    op: Op::Wait {},
                    origin: None,
                })
            }
            "call" => {
                let action = parse::call(&self.world, args)?;
                self.run(action)
            }
            "state" => self.state(args.first().map(String::as_str))?,
            "check" => self.check(),
            "trace" => self.trace()?,
            "step" => {
                let n = count(args.first(), 1)?;
                self.step_loaded(n)?
            }
            "run" => {
                let n = self.loaded.len().saturating_sub(self.steps.len());
                self.step_loaded(n)?
            }
            "back" => {
                let n = count(args.first(), 1)?;
                let to = self
                    .steps
                    .len()
                    .checked_sub(n)
                    .ok_or("not that many steps to go back over")?;
                self.goto(to)?
            }
            "goto" => {
                let n = count(args.first(), usize::MAX)?;
                self.goto(n)?
            }
            "list" | "steps" => self.list(),
            "snapshot" => {
                let name = args.first().ok_or("usage: snapshot NAME")?;
                self.snapshots.insert(name.clone(), self.saved());
                format!("snapshot {name} at step {}", self.steps.len())
            }
            "restore" => {
                let name = args.first().ok_or("usage: restore NAME")?;
                let saved = self.snapshots.get(name).cloned().ok_or_else(|| {
                    format!("no snapshot {name:?} (have: {})", self.snapshot_names())
                })?;
                self.restore(saved);
                format!("restored {name}: step {}", self.steps.len())
            }
            "snapshots" => self.snapshot_names(),
            "save" => {
                let file = args.first().ok_or("usage: save FILE")?;
                self.save(Path::new(file))?
            }
            "actors" => self.actors(),
            "pools" => self.pools(),
            "functions" => self.functions(args.first().map(String::as_str)),
            "ops" => OpKind::ALL
                .into_iter()
                .filter(|k| *k != OpKind::Call)
                .map(parse::usage)
                .collect::<Vec<_>>()
                .join("\n"),
            other => match parse::op_kind(other) {
                Some(kind) => {
                    let action = parse::op(&self.world, kind, args)?;
                    self.run(action)
                }
                None => {
                    return Err(format!(
                        "unknown command {other:?}: `help` lists the commands, `ops` the ops"
                    ))
                }
            },
        };
        Ok(Reply::text(text))
    }

    /// Runs `action` as the next step; its trace line, events and violations.
    fn run(&mut self, action: Action) -> String {
        let index = self.steps.len();
        let description = match action.op {
            Op::Wait {} => format!("roll +{} blocks", action.roll),
            _ => action.describe(&self.world),
        };
        let mut inspector = CoverageInspector::new();
        let outcome = self.stepper.step(
            &mut self.world,
            &self.observer,
            &action,
            Some(&mut inspector),
        );
        let frames = inspector.take_frames();
        let mut line = format!(
            "#{index:<3} {description} -> {}",
            outcome_text(&outcome.record)
        );
        let mut text = line.clone();
        for log in &outcome.logs {
            let _ = write!(text, "\n     event {}", self.names.event(&self.world, log));
        }
        for v in &outcome.violations {
            let message = named(&self.world, &v.message);
            let statement = CATALOG
                .iter()
                .find(|i| i.id == v.invariant)
                .map_or("", |i| i.statement);
            let _ = write!(
                text,
                "\n     VIOLATION {}: {message}\n       ({statement})",
                v.invariant
            );
            let _ = write!(line, "\n     VIOLATION {}: {message}", v.invariant);
        }
        self.ever_violated |= !outcome.violations.is_empty();
        self.seen.extend(outcome.violations.iter().cloned());
        self.steps.push(action);
        self.lines.push(line);
        self.last = Some(LastStep {
            record: outcome.record,
            logs: outcome.logs,
            frames,
        });
        text
    }

    /// The loaded sequence's next `n` steps (fewer at its end).
    fn step_loaded(&mut self, n: usize) -> Result<String, String> {
        let at = self.steps.len();
        if self.loaded.is_empty() {
            return Err(
                "nothing loaded to step through (start the console with a FINDING or SEQUENCE file, or go `back`)"
                    .to_string(),
            );
        }
        if self.loaded.get(..at) != Some(&self.steps[..]) {
            return Err(format!(
                "the session left the loaded sequence before step {at}: `goto N` returns to it"
            ));
        }
        let next: Vec<Action> = self.loaded.iter().skip(at).take(n).cloned().collect();
        if next.is_empty() {
            return Err(format!(
                "at the end of the loaded sequence ({} steps)",
                self.loaded.len()
            ));
        }
        Ok(next
            .into_iter()
            .map(|a| self.run(a))
            .collect::<Vec<_>>()
            .join("\n"))
    }

    /// Replays from the deployed world up to step `n` of the steps run, or of the loaded sequence when the steps
    /// run are its beginning.
    fn goto(&mut self, n: usize) -> Result<String, String> {
        // Going back keeps the steps left behind to step through again.
        let on_loaded = self.loaded.get(..self.steps.len()) == Some(&self.steps[..]);
        if !on_loaded || self.loaded.len() < self.steps.len() {
            self.loaded = self.steps.clone();
        }
        let n = n.min(self.loaded.len());
        self.reset_to(n);
        let shown = self.lines.len().saturating_sub(3);
        let mut text = format!("at step {n} of {}", self.loaded.len());
        for line in &self.lines[shown..] {
            let _ = write!(text, "\n{line}");
        }
        Ok(text)
    }

    /// The deployed world, then the first `n` loaded steps, quietly.
    fn reset_to(&mut self, n: usize) {
        self.stepper = Stepper::start(&mut self.world, &self.observer);
        self.steps.clear();
        self.lines.clear();
        self.seen.clear();
        self.last = None;
        let steps: Vec<Action> = self.loaded.iter().take(n).cloned().collect();
        for action in steps {
            self.run(action);
        }
    }

    fn saved(&self) -> Saved {
        Saved {
            world: self.world.clone(),
            stepper: self.stepper.clone(),
            steps: self.steps.clone(),
            lines: self.lines.clone(),
            seen: self.seen.clone(),
        }
    }

    fn restore(&mut self, saved: Saved) {
        self.world = saved.world;
        self.stepper = saved.stepper;
        self.steps = saved.steps;
        self.lines = saved.lines;
        self.seen = saved.seen;
        self.last = None;
    }

    fn snapshot_names(&self) -> String {
        if self.snapshots.is_empty() {
            return "no snapshots".to_string();
        }
        self.snapshots
            .keys()
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn list(&self) -> String {
        let mut text = self.lines.join("\n");
        let next = self.steps.len();
        if self.loaded.get(..next) == Some(&self.steps[..]) {
            for (i, action) in self.loaded.iter().enumerate().skip(next) {
                let _ = write!(text, "\n#{i:<3} (not run) {}", action.describe(&self.world));
            }
        }
        if text.is_empty() {
            text = "no steps yet".to_string();
        }
        text
    }

    /// The observation after the last step: the chain and vault, actors' BERA, then each pool (or `pool`).
    fn state(&self, pool: Option<&str>) -> Result<String, String> {
        let obs = &self.stepper.prev;
        let only = match pool {
            Some(name) => {
                let i = name
                    .strip_prefix("pool")
                    .and_then(|n| n.parse::<usize>().ok())
                    .filter(|i| *i < obs.pools.len())
                    .ok_or_else(|| {
                        format!("no pool {name:?} (pool0..pool{})", obs.pools.len() - 1)
                    })?;
                Some(i)
            }
            None => None,
        };
        let name = |a| self.world.actors.name(a);
        let mut text = String::new();
        if only.is_none() {
            let _ = writeln!(text, "block {}  (step {})", obs.block, self.steps.len());
            let _ = writeln!(
                text,
                "WithdrawalVault: {} wei{}, {} requests",
                obs.withdrawal_vault_balance,
                if obs.withdrawal_vault_paused {
                    ", paused"
                } else {
                    ""
                },
                obs.requests.len()
            );
            for (i, r) in obs.requests.iter().enumerate() {
                let _ = writeln!(
                    text,
                    "  request {}: {} pool{} assets {} shares {} block {}{}",
                    i + 1,
                    name(r.user),
                    r.pool.map_or("?".to_string(), |p| p.to_string()),
                    r.assets,
                    r.shares,
                    r.block,
                    if r.finalized { " finalized" } else { "" }
                );
            }
            let _ = writeln!(text, "actors' BERA:");
            for (a, bera) in obs.actors.iter().zip(&obs.actor_bera) {
                if !bera.is_zero() {
                    let _ = writeln!(text, "  {:<36} {bera}", name(*a));
                }
            }
        }
        for (i, p) in obs.pools.iter().enumerate() {
            if only.is_some_and(|o| o != i) {
                continue;
            }
            let _ = writeln!(text, "pool{i}:");
            let value = serde_json::to_value(p).map_err(|e| e.to_string())?;
            let serde_json::Value::Object(fields) = value else {
                continue;
            };
            for (key, v) in fields {
                match key.as_str() {
                    "share_balances" => {
                        let _ = writeln!(text, "  share_balances:");
                        for (a, b) in obs.actors.iter().zip(&p.share_balances) {
                            if !b.is_zero() {
                                let _ = writeln!(text, "    {:<34} {b}", name(*a));
                            }
                        }
                    }
                    "roles" => {
                        for (r, holders) in crate::actions::Role::ALL.iter().zip(&p.roles) {
                            let who: Vec<String> = obs
                                .actors
                                .iter()
                                .zip(holders)
                                .filter(|(_, h)| **h)
                                .map(|(a, _)| name(*a))
                                .collect();
                            let _ =
                                writeln!(text, "  {:<34} {}", r.solidity_name(), who.join(", "));
                        }
                    }
                    _ => {
                        let _ = writeln!(text, "  {key:<36} {}", plain(&self.world, &v));
                    }
                }
            }
        }
        Ok(text.trim_end().to_string())
    }

    /// Every invariant after the last step: held, or violated with its explanation.
    fn check(&self) -> String {
        let at = self.steps.len();
        let mut text = format!(
            "after step {} ({} invariants):",
            at.saturating_sub(1),
            CATALOG.len()
        );
        let mut violated = 0;
        for invariant in CATALOG {
            let now = self.seen.iter().rev().find(|v| v.invariant == invariant.id);
            let status = match now {
                Some(v) if v.step + 1 == at => {
                    violated += 1;
                    format!(
                        "VIOLATED: {}\n           {}",
                        named(&self.world, &v.message),
                        invariant.statement
                    )
                }
                Some(v) => format!("held (violated earlier, at step {})", v.step),
                None => "held".to_string(),
            };
            let _ = write!(text, "\n  {:<12} {status}", invariant.id);
        }
        let _ = write!(text, "\n{violated} violated by the last step");
        text
    }

    /// The last step's calls (as they returned, innermost first) and events, decoded.
    fn trace(&self) -> Result<String, String> {
        let last = self.last.as_ref().ok_or("no step to trace yet")?;
        let r = &last.record;
        let mut text = format!(
            "step {}: {} by {} -> {}",
            r.index,
            r.entry.as_deref().unwrap_or(&r.op),
            self.world.actors.name(r.caller),
            outcome_text(r)
        );
        let _ = write!(text, "\ncalls ({}, as they returned):", last.frames.len());
        for f in &last.frames {
            let function = f
                .selector
                .map(|s| {
                    self.names
                        .functions
                        .get(&s)
                        .cloned()
                        .unwrap_or_else(|| format!("0x{}", alloy_primitives::hex::encode(s)))
                })
                .unwrap_or_else(|| "receive".to_string());
            let _ = write!(
                text,
                "\n  {}.{function} -> {}",
                self.world.label(f.target),
                if f.success { "ok" } else { "reverted" }
            );
        }
        let _ = write!(text, "\nevents ({}):", last.logs.len());
        for log in &last.logs {
            let _ = write!(text, "\n  {}", self.names.event(&self.world, log));
        }
        for reentry in &r.events.reentries {
            let _ = write!(
                text,
                "\nre-entry by {}: {} -> {}",
                self.world.actors.name(reentry.by),
                reentry.entry.as_deref().unwrap_or("?"),
                if reentry.success { "ok" } else { "reverted" }
            );
        }
        Ok(text)
    }

    /// Writes the steps run as a finding file (of the first violation seen, if any).
    fn save(&self, path: &Path) -> Result<String, String> {
        let first = self.seen.first();
        let statement = first
            .and_then(|v| CATALOG.iter().find(|i| i.id == v.invariant))
            .map_or(String::new(), |i| i.statement.to_string());
        let finding = Finding {
            format: FINDING_FORMAT.to_string(),
            invariant: first.map_or(String::new(), |v| v.invariant.clone()),
            statement,
            message: first.map_or(String::new(), |v| v.message.clone()),
            step: first.map_or(self.steps.len().saturating_sub(1), |v| v.step),
            seed: 0,
            worker: 0,
            original_length: self.steps.len(),
            poolguard_version: env!("CARGO_PKG_VERSION").to_string(),
            suite: self.world.suite_hash(),
            variant: self.variant.clone(),
            first_seen: None,
            pools: self.world.pools.len(),
            sequence: self.steps.clone(),
            trace: self.lines.clone(),
        };
        let json = serde_json::to_vec_pretty(&finding).map_err(|e| e.to_string())?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        std::fs::write(path, json).map_err(|e| format!("{}: {e}", path.display()))?;
        let replay = poolguard_command(&self.contracts, &["replay", &path.to_string_lossy()]);
        Ok(match first {
            Some(v) => format!(
                "saved {} steps to {} (finding {}); `{replay}` reproduces it",
                self.steps.len(),
                path.display(),
                v.invariant,
            ),
            None => format!(
                "saved {} steps to {} (no violation); `{replay}` runs them",
                self.steps.len(),
                path.display(),
            ),
        })
    }

    fn actors(&self) -> String {
        self.world
            .actors
            .all()
            .iter()
            .enumerate()
            .map(|(i, a)| {
                format!(
                    "{i:>3} {:<36} {a}  {} wei",
                    self.world.actors.name(*a),
                    self.world.chain.balance(*a)
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn pools(&self) -> String {
        self.world
            .pools
            .iter()
            .map(|p| {
                format!(
                    "pool{}: StakingPool {}  SmartOperator {}  StakingRewardsVault {}  IncentiveCollector {}",
                    p.index, p.staking_pool, p.smart_operator, p.rewards_vault, p.incentive_collector
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The state-changing functions `call` can reach (those of contracts whose label contains `filter`).
    fn functions(&self, filter: Option<&str>) -> String {
        let wanted = filter.map(str::to_ascii_lowercase);
        let lines: Vec<String> = self
            .world
            .entry_points
            .iter()
            .filter(|e| {
                wanted
                    .as_ref()
                    .is_none_or(|w| e.label.to_ascii_lowercase().contains(w))
            })
            .map(|e| {
                format!(
                    "{} {}{}{}",
                    e.label,
                    e.signature,
                    if e.payable { " payable" } else { "" },
                    if e.permissionless.is_some() {
                        ""
                    } else {
                        " (privileged)"
                    }
                )
            })
            .collect();
        if lines.is_empty() {
            return format!("no function on a contract matching {filter:?}");
        }
        lines.join("\n")
    }

    /// Words the line editor completes: commands, ops, actors, pools, contract labels, `label.function`s.
    pub fn vocabulary(&self) -> Vec<String> {
        let mut words: Vec<String> = COMMANDS.iter().map(|(c, _)| c.to_string()).collect();
        words.extend(
            OpKind::ALL
                .into_iter()
                .filter(|k| *k != OpKind::Call)
                .map(|k| parse::kebab(k.name())),
        );
        words.extend(
            self.world
                .actors
                .all()
                .iter()
                .map(|a| self.world.actors.name(*a)),
        );
        words.extend((0..self.world.pools.len()).map(|i| format!("pool{i}")));
        for e in &self.world.entry_points {
            words.push(e.label.clone());
            if let Some(f) = &e.function {
                words.push(f.name.clone());
                words.push(format!("{}.{}", e.label, f.name));
            }
        }
        words.extend(
            crate::actions::Role::ALL
                .iter()
                .map(|r| r.solidity_name().to_string()),
        );
        words.extend(crate::actions::HOOK_MODES.iter().map(|h| h.to_string()));
        words.extend(["honest", "zero", "replay", "from", "signed-by", "all"].map(String::from));
        words.sort();
        words.dedup();
        words
    }
}

/// `text` with every address the world names replaced by its name (`staker1`, `pool0.StakingPool`).
fn named(world: &World, text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("0x") {
        out.push_str(&rest[..at]);
        let candidate = rest
            .get(at..at + 42)
            .filter(|c| c[2..].chars().all(|ch| ch.is_ascii_hexdigit()));
        let next = rest[at + 2..].chars().next();
        match candidate.and_then(|c| c.parse::<alloy_primitives::Address>().ok()) {
            Some(address)
                if next.is_some()
                    && rest[at + 42..]
                        .chars()
                        .next()
                        .is_none_or(|ch| !ch.is_ascii_hexdigit()) =>
            {
                out.push_str(&world.label(address));
                rest = &rest[at + 42..];
            }
            _ => {
                out.push_str("0x");
                rest = &rest[at + 2..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A JSON value as plain text: numbers in decimal, addresses by name, strings without quotes.
fn plain(world: &World, value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) if s.len() == 42 => {
            match s.parse::<alloy_primitives::Address>() {
                Ok(a) => world.label(a),
                Err(_) => s.clone(),
            }
        }
        serde_json::Value::String(s) => {
            match alloy_primitives::U256::from_str_radix(s.trim_start_matches("0x"), 16) {
                Ok(n) if s.starts_with("0x") => n.to_string(),
                _ => s.clone(),
            }
        }
        serde_json::Value::Array(items) => format!(
            "[{}]",
            items
                .iter()
                .map(|v| plain(world, v))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string(),
    }
}

fn count(arg: Option<&String>, default: usize) -> Result<usize, String> {
    match arg {
        None => Ok(default),
        Some(text) => text
            .parse()
            .map_err(|_| format!("not a number of steps: {text:?}")),
    }
}

/// The console's commands besides the ops, with one line each for `help`.
const COMMANDS: &[(&str, &str)] = &[
    ("help", "help [COMMAND|OP]: this list, or how to type an op"),
    ("ops", "ops: every op with its fields"),
    ("call", "call TARGET FUNCTION(args) [value=WEI] [from ACTOR] [signed-by ACTOR] [roll=N]: any state-changing function (`functions` lists them), sent by anyone (default the attacker)"),
    ("roll", "roll BLOCKS: move the chain on (a step of its own, 2 s a block)"),
    ("state", "state [poolN]: the observation after the last step"),
    ("check", "check: every invariant after the last step, the violated ones explained"),
    ("trace", "trace: the last step's calls and events, decoded"),
    ("step", "step [N]: run the next N steps of the loaded sequence"),
    ("run", "run: run the rest of the loaded sequence"),
    ("back", "back [N]: go back N steps (replayed from the deployed world; `step` goes forward again)"),
    ("goto", "goto N: the world after the first N steps"),
    ("list", "list: the steps run, and those of the loaded sequence not run yet"),
    ("snapshot", "snapshot NAME: remember this point"),
    ("restore", "restore NAME: return to a snapshot"),
    ("snapshots", "snapshots: the snapshots' names"),
    ("save", "save FILE: the steps run as a finding file (`replay`, `gate --regressions`, `export` take it)"),
    ("actors", "actors: every actor with its index, address and BERA"),
    ("pools", "pools: every pool's contracts"),
    ("functions", "functions [FILTER]: the state-changing functions `call` can reach"),
    ("quit", "quit: leave (also exit, Ctrl-D)"),
];

fn help(topic: Option<&str>) -> Result<String, String> {
    if let Some(topic) = topic {
        if let Some((_, line)) = COMMANDS.iter().find(|(c, _)| *c == topic) {
            return Ok(line.to_string());
        }
        let kind = parse::op_kind(topic).ok_or_else(|| format!("no command or op {topic:?}"))?;
        return Ok(format!(
            "{}\n  a word fills the first field that takes its form (pool1, staker2, 50%, 1000e18); name=value sets \
             a field; the first word is the caller when it names an actor (default: who the op needs); \
             `from ACTOR`, `roll=N` and, for a contract actor's step, `signed-by ACTOR` (its transaction's \
             tx.origin) work too",
            parse::usage(kind)
        ));
    }
    let mut text = String::from(
        "Ops (`ops` lists them with their fields): e.g. `submit staker1 pool0 1000e18`, \
         `request-withdrawal staker1 pool0 50%`, `oracle-report pool1 +0.5%`, `finalize staker1 1`.\n\
         Amounts are in wei (1000e18, 1.5e18, 1000bera, 5gwei); N% of a holding for amounts of what the sender holds \
         (0% is sent as zero even when nothing is held).\n",
    );
    for (_, line) in COMMANDS {
        let _ = write!(text, "\n  {line}");
    }
    Ok(text)
}
