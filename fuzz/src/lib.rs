//! What poolguard's libFuzzer targets share: the deployed world (built once per process, reset per input),
//! EVM coverage written into libFuzzer's extra counters, and the EVM's 256-bit comparisons reported through
//! libFuzzer's memcmp hook.
//!
//! * **Edges.** Every JUMPI the EVM executes (contract code hash, pc, direction: [`poolguard::evm::edge_id`])
//!   bumps one byte of [`COUNTERS`] counters in the `__libfuzzer_extra_counters` section; libFuzzer clears
//!   them before each input and turns the non-zero ones into features (`ft:`), so an input that takes a new
//!   branch in a contract, or takes one a new number of times (libFuzzer's hit-count buckets), is kept.
//! * **Comparisons.** Every `EQ`/`LT`/`GT`/`SLT`/`SGT` reports its two operands as 32-byte big-endian words to
//!   `__sanitizer_weak_hook_memcmp`, with a synthetic caller pc per (contract code, pc)
//!   ([`poolguard::evm::site_id`]). libFuzzer keeps the pair in its table of recent compares and later
//!   substitutes one word for the other in an input; because inputs carry amounts as raw 32-byte words
//!   ([`poolguard::fuzzinput`]), the substitution lands on the real argument.
//!
//! Both work on stable Rust (`cargo fuzz run -s none`): they need no sanitizer, only libFuzzer.
//!
//! **Mutation.** The `sequence` and `oracle` targets install a structure-aware custom mutator ([`mutate`]):
//! half of the time libFuzzer's own byte-level mutation (which carries the compare-operand substitutions
//! above), half of the time an action-level mutation of the decoded sequence, encoded back: the built-in
//! campaign's (insert, delete, splice, duplicate actions; change a caller, a contract actor's signer, a roll, an
//! argument; callers biased
//! toward the holder of the privilege an op needs), or a confused deputy (an action's caller becomes a holder
//! of one of its pool's roles).
//!
//! # Environment
//!
//! | variable | effect |
//! | --- | --- |
//! | `POOLGUARD_ARTIFACTS` | a bundle of compiled artifacts ([`Artifacts::to_bundle`]) to deploy instead of compiling; `poolguard-artifacts.json` beside the fuzzer binary is used the same way when present |
//! | `POOLGUARD_CONTRACTS` | the suite to compile (default: the repository's `contracts/`) |
//! | `POOLGUARD_VARIANT` | a broken variant (`contracts/variants/<name>.json`) to materialize and fuzz instead |
//! | `POOLGUARD_SAVE_ARTIFACTS` | compile the suite (ignoring any bundle) and write its artifacts bundle to this path |
//! | `POOLGUARD_EVM_COUNTERS=0` | do not write EVM edges into the extra counters (for measuring what they add) |
//! | `POOLGUARD_EVM_CMP=0` | do not report EVM comparisons to the memcmp hook |
//! | `POOLGUARD_INVARIANT=<ID>` | panic only for this invariant (others are checked and ignored), e.g. to measure how soon a variant's own invariant fires |
//! | `POOLGUARD_MUTATOR=bytes` | libFuzzer's byte-level mutation only (no action-level mutation) |
//! | `POOLGUARD_EDGE_LOG=1` | print the number of distinct EVM edges seen by this process whenever it grows |

use std::collections::HashSet;
use std::ffi::{c_int, c_void};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::Instant;

use poolguard::actions::OpKind;
use poolguard::compile::{Artifacts, SuiteCompiler};
use poolguard::engine::strategy::{self, GenContext};
use poolguard::engine::{run_sequence_with, StopOn, Trace};
use poolguard::evm::{CoverageEvent, CoverageInspector};
use poolguard::fuzzinput::{decode, encode, Alphabet, MAX_ACTIONS};
use poolguard::observe::Observer;
use poolguard::variants::find_variant;
use poolguard::world::{World, WorldConfig};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

/// Number of extra counters (EVM edge ids are mapped modulo this).
pub const COUNTERS: usize = 1 << 16;

/// libFuzzer's extra counters: found by the linker-defined `__start_`/`__stop___libfuzzer_extra_counters`
/// symbols, cleared by libFuzzer before every input, read after it.
#[used]
#[link_section = "__libfuzzer_extra_counters"]
static mut EXTRA_COUNTERS: [u8; COUNTERS] = [0; COUNTERS];

extern "C" {
    /// libFuzzer's memcmp interceptor hook (compiled into libfuzzer-sys; a no-op outside a fuzz run).
    fn __sanitizer_weak_hook_memcmp(
        caller_pc: *const c_void,
        s1: *const c_void,
        s2: *const c_void,
        n: usize,
        result: c_int,
    );
}

static COUNTERS_ON: AtomicBool = AtomicBool::new(true);
static CMP_ON: AtomicBool = AtomicBool::new(true);

/// The coverage sink: EVM edges into the extra counters, comparisons into the memcmp hook.
fn sink(event: &CoverageEvent) {
    match *event {
        CoverageEvent::Edge(id) => {
            if COUNTERS_ON.load(Ordering::Relaxed) {
                let i = (id % COUNTERS as u64) as usize;
                // SAFETY: `i < COUNTERS`; libFuzzer runs inputs on one thread and only reads the counters
                // between inputs; a byte store cannot tear.
                unsafe {
                    let counter = (&raw mut EXTRA_COUNTERS).cast::<u8>().add(i);
                    *counter = (*counter).saturating_add(1);
                }
            }
        }
        CoverageEvent::Cmp { site, a, b } => {
            if a != b && CMP_ON.load(Ordering::Relaxed) {
                let (x, y) = (a.to_be_bytes::<32>(), b.to_be_bytes::<32>());
                let result: c_int = if x < y { -1 } else { 1 };
                // SAFETY: both buffers are 32 bytes long and live across the call; the hook only reads them.
                unsafe {
                    __sanitizer_weak_hook_memcmp(
                        site as usize as *const c_void,
                        x.as_ptr().cast(),
                        y.as_ptr().cast(),
                        32,
                        result,
                    );
                }
            }
        }
    }
}

/// The per-process state: the deployed world (reset before every input), its observer, the inspector.
pub struct Harness {
    /// The deployed suite.
    pub world: World,
    /// Its observer.
    pub observer: Observer,
    /// The coverage inspector, its sink feeding libFuzzer.
    pub inspector: CoverageInspector,
    /// What action-level mutation needs to know of the world (actors, role holders, constants).
    pub gen: GenContext,
    edges: HashSet<u64>,
    edge_log: bool,
    stop: StopOn,
    structured: bool,
}

static HARNESS: OnceLock<Mutex<Harness>> = OnceLock::new();

fn flag(name: &str) -> Option<bool> {
    std::env::var(name)
        .ok()
        .map(|v| !matches!(v.as_str(), "0" | "false" | "no" | "off" | ""))
}

fn fail(message: String) -> ! {
    eprintln!("poolguard-fuzz: {message}");
    std::process::exit(2);
}

/// The repository's `contracts/`, or `$POOLGUARD_CONTRACTS`.
pub fn contracts_root() -> PathBuf {
    std::env::var_os("POOLGUARD_CONTRACTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join("contracts")
        })
}

fn artifacts() -> Artifacts {
    let beside_binary = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|d| d.join("poolguard-artifacts.json")));
    let bundle = std::env::var_os("POOLGUARD_ARTIFACTS")
        .map(PathBuf::from)
        .or(beside_binary.filter(|p| p.is_file()));
    let variant = std::env::var("POOLGUARD_VARIANT")
        .ok()
        .filter(|v| !v.is_empty());
    let saving = std::env::var_os("POOLGUARD_SAVE_ARTIFACTS").is_some();
    if let (Some(bundle), None, false) = (&bundle, &variant, saving) {
        let bytes = std::fs::read(bundle)
            .unwrap_or_else(|e| fail(format!("reading {}: {e}", bundle.display())));
        eprintln!("poolguard-fuzz: artifacts from {}", bundle.display());
        return Artifacts::from_bundle(&bytes)
            .unwrap_or_else(|e| fail(format!("{}: {e}", bundle.display())));
    }
    let mut root = contracts_root();
    if let Some(name) = &variant {
        let v = find_variant(&root.join("variants"), name).unwrap_or_else(|e| fail(e.to_string()));
        eprintln!(
            "poolguard-fuzz: variant {name}: {} (breaks {})",
            v.description, v.invariant
        );
        root = v
            .materialize(&root, &root.join(".poolguard").join("variants"))
            .unwrap_or_else(|e| fail(e.to_string()));
    }
    let artifacts = SuiteCompiler::new(&root)
        .compile()
        .unwrap_or_else(|e| fail(format!("compiling {}: {e}", root.display())));
    if let Some(out) = std::env::var_os("POOLGUARD_SAVE_ARTIFACTS") {
        std::fs::write(&out, artifacts.to_bundle())
            .unwrap_or_else(|e| fail(format!("writing {}: {e}", Path::new(&out).display())));
        eprintln!(
            "poolguard-fuzz: wrote the artifacts bundle {}",
            Path::new(&out).display()
        );
    }
    artifacts
}

/// Compiles (or loads) and deploys the suite once per process; call from the target's `init:` block.
pub fn init() {
    HARNESS.get_or_init(|| {
        let started = Instant::now();
        COUNTERS_ON.store(flag("POOLGUARD_EVM_COUNTERS").unwrap_or(true), Ordering::Relaxed);
        CMP_ON.store(flag("POOLGUARD_EVM_CMP").unwrap_or(true), Ordering::Relaxed);
        let world = World::deploy(&artifacts(), WorldConfig::default())
            .unwrap_or_else(|e| fail(format!("deploying the suite: {e}")));
        let observer = Observer::new(&world);
        eprintln!(
            "poolguard-fuzz: world deployed in {:.1?} ({} pools, {} actors); EVM edge counters {}, compare hook {}",
            started.elapsed(),
            world.pools.len(),
            world.actors.all().len(),
            if COUNTERS_ON.load(Ordering::Relaxed) { "on" } else { "off" },
            if CMP_ON.load(Ordering::Relaxed) { "on" } else { "off" },
        );
        // No comparison pairs are kept by the inspector itself: the sink reports them all.
        let inspector = CoverageInspector::with_cmp_cap(0).with_sink(sink);
        let stop = match std::env::var("POOLGUARD_INVARIANT") {
            Ok(id) if !id.is_empty() => {
                eprintln!("poolguard-fuzz: panicking only for {id}");
                StopOn::Invariant(id)
            }
            _ => StopOn::AnyViolation,
        };
        let edge_log = flag("POOLGUARD_EDGE_LOG").unwrap_or(false);
        let structured = std::env::var("POOLGUARD_MUTATOR").map_or(true, |m| m != "bytes");
        let gen = GenContext::new(&world);
        Mutex::new(Harness { world, observer, inspector, gen, edges: HashSet::new(), edge_log, stop, structured })
    });
}

/// The per-process harness ([`init`] first if needed).
pub fn harness() -> MutexGuard<'static, Harness> {
    init();
    HARNESS
        .get()
        .expect("initialised")
        .lock()
        .unwrap_or_else(|p| p.into_inner())
}

/// One libFuzzer input: decode it with `alphabet`, run the actions on the reset world with EVM coverage,
/// check every invariant after every step, and panic naming the first invariant violated.
pub fn run(data: &[u8], alphabet: Alphabet) {
    let actions = decode(data, alphabet);
    if actions.is_empty() {
        return;
    }
    let violation = {
        let mut guard = harness();
        let h = &mut *guard;
        let result = run_sequence_with(
            &mut h.world,
            &h.observer,
            &actions,
            &h.stop,
            Some(&mut h.inspector),
            Trace::Off,
        );
        if h.edge_log {
            let before = h.edges.len();
            h.edges.extend(result.edges.iter().copied());
            if h.edges.len() > before {
                eprintln!("poolguard-fuzz: {} distinct EVM edges", h.edges.len());
            }
        }
        let wanted = |id: &str| match &h.stop {
            StopOn::Invariant(only) => only == id,
            _ => true,
        };
        result.violations.into_iter().find(|v| wanted(&v.invariant))
    };
    if let Some(v) = violation {
        panic!(
            "poolguard: invariant {} violated at step {} of {}: {}",
            v.invariant,
            v.step,
            actions.len(),
            v.message
        );
    }
}

/// The custom mutator of the action targets (see the [crate docs](self)): `data[..size]` is the input,
/// `data` has room for `max(size, max_size)` bytes; returns the new size (at most `max_size`).
pub fn mutate(
    data: &mut [u8],
    size: usize,
    max_size: usize,
    seed: u32,
    alphabet: Alphabet,
) -> usize {
    let mut rng = SmallRng::seed_from_u64(u64::from(seed));
    let (structured, gen) = {
        let h = harness();
        (h.structured, h.gen.clone())
    };
    if !structured || rng.random_bool(0.5) {
        return libfuzzer_sys::fuzzer_mutate(data, size, max_size);
    }
    let mut actions = decode(&data[..size], alphabet);
    if !actions.is_empty() && rng.random_bool(0.25) {
        // A confused deputy: the action's caller becomes a holder of some role of the pool it is about.
        let i = rng.random_range(0..actions.len());
        let holders = &gen.role_holders
            [actions[i].op.pool().unwrap_or(0) as usize % gen.role_holders.len().max(1)];
        actions[i].set_caller(holders[rng.random_range(0..holders.len())]);
    } else {
        let other = strategy::random_sequence(&mut rng, &gen, 8);
        strategy::mutate(&mut rng, &gen, &mut actions, &other, MAX_ACTIONS);
    }
    // The oracle alphabet lacks some kinds the campaign's generator makes: drop those.
    actions.retain(|a| alphabet.selector(OpKind::of(&a.op)).is_some());
    match encode(&actions, alphabet) {
        Ok(bytes) if !bytes.is_empty() && bytes.len() <= max_size => {
            data[..bytes.len()].copy_from_slice(&bytes);
            bytes.len()
        }
        _ => libfuzzer_sys::fuzzer_mutate(data, size, max_size),
    }
}
