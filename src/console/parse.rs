//! Reading console commands: words, amounts, actors, pools, roles, and ops in a readable form, each read from the
//! op descriptions ([`OpSpec`]) and the world's names, never from a list of ops written here.

use alloy_dyn_abi::{DynSolType, DynSolValue, Specifier};
use alloy_primitives::{keccak256, Address, FixedBytes, I256, U256};

use crate::actions::model::{ActorDraw, FieldKind, Holder, OpSpec};
use crate::actions::{
    abi, Action, Amount, ArgValue, Needs, Op, OpKind, Report, Role, UpgradeTarget,
};
use crate::world::World;

/// Splits a command line into words at spaces, keeping what is inside `(…)`, `[…]` and `"…"` together.
pub fn words(line: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut depth = 0i32;
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            '(' | '[' if !quoted => depth += 1,
            ')' | ']' if !quoted => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return Err(format!("unbalanced {c:?} in {line:?}"));
        }
        if c.is_whitespace() && depth == 0 && !quoted {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
        } else {
            word.push(c);
        }
    }
    if depth != 0 || quoted {
        return Err(format!("unclosed bracket or quote in {line:?}"));
    }
    if !word.is_empty() {
        out.push(word);
    }
    Ok(out)
}

/// `RequestWithdrawal` → `request-withdrawal`: how an op kind is typed.
pub fn kebab(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The op kind typed as `name` (`request-withdrawal`, `request_withdrawal` or `RequestWithdrawal`). The exact
/// `Call` is typed through `call`.
pub fn op_kind(name: &str) -> Option<OpKind> {
    let wanted = name.replace('_', "-").to_ascii_lowercase();
    let typed = || OpKind::ALL.into_iter().filter(|k| *k != OpKind::Call);
    if let Some(kind) =
        typed().find(|k| kebab(k.name()) == wanted || k.name().eq_ignore_ascii_case(name))
    {
        return Some(kind);
    }
    // A shorter name for the one op that ends or starts with those words (`report` for `oracle-report`).
    let mut matching = typed().filter(|k| {
        let full = kebab(k.name());
        full.ends_with(&format!("-{wanted}")) || full.starts_with(&format!("{wanted}-"))
    });
    match (matching.next(), matching.next()) {
        (Some(kind), None) => Some(kind),
        _ => None,
    }
}

/// An amount: `1000`, `1_000`, `0x3e8`, `1000e18`, `1.5e18`, or with a unit `1000bera` (= `1000ether`),
/// `5gwei`, `7wei`. The result is in wei.
pub fn number(text: &str) -> Result<U256, String> {
    let bad = || format!("not an amount: {text:?} (try 1000e18, 1.5e18, 1000bera, 5gwei, 0x3e8)");
    let clean = text.replace('_', "");
    if let Some(hex) = clean.strip_prefix("0x") {
        return U256::from_str_radix(hex, 16).map_err(|_| bad());
    }
    let lower = clean.to_ascii_lowercase();
    let (body, unit_exp) =
        if let Some(b) = lower.strip_suffix("bera").or(lower.strip_suffix("ether")) {
            (b.to_string(), 18u32)
        } else if let Some(b) = lower.strip_suffix("gwei") {
            (b.to_string(), 9)
        } else if let Some(b) = lower.strip_suffix("wei") {
            (b.to_string(), 0)
        } else {
            (lower.clone(), 0)
        };
    let (mantissa, exp) = match body.split_once('e') {
        Some((m, e)) => (m.to_string(), e.parse::<u32>().map_err(|_| bad())?),
        None => (body, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((&mantissa, ""));
    if int.is_empty() && frac.is_empty()
        || !int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit())
    {
        return Err(bad());
    }
    let exp = exp + unit_exp;
    let frac_len = frac.len() as u32;
    if frac_len > exp && frac.trim_end_matches('0').len() as u32 > exp {
        return Err(format!("{text:?} is not a whole number of wei"));
    }
    let digits = format!("{int}{frac}");
    let base = U256::from_str_radix(if digits.is_empty() { "0" } else { &digits }, 10)
        .map_err(|_| bad())?;
    let scale = exp.checked_sub(frac_len);
    match scale {
        Some(s) => base
            .checked_mul(
                U256::from(10u8)
                    .checked_pow(U256::from(s))
                    .ok_or_else(bad)?,
            )
            .ok_or_else(bad),
        None => Ok(base / U256::from(10u8).pow(U256::from(frac_len - exp))),
    }
}

/// `50%` or `0.5%` → basis points; `None` when `text` is not a percentage.
fn percent(text: &str) -> Option<Result<i64, String>> {
    let body = text.strip_suffix('%')?;
    let (sign, digits) = match body.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, body.strip_prefix('+').unwrap_or(body)),
    };
    let parsed = digits
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
        .map(|v| sign * (v * 100.0).round() as i64)
        .ok_or_else(|| format!("not a percentage: {text:?}"));
    Some(parsed)
}

/// The index of the actor called `name` in the world's actors (`staker1`, `governance`, `pool0.bgt_manager`).
pub fn actor_index(world: &World, name: &str) -> Option<u8> {
    world
        .actors
        .all()
        .iter()
        .position(|a| world.actors.name(*a).eq_ignore_ascii_case(name))
        .map(|i| i as u8)
}

/// The address `name` means: an actor, a deployed contract by its label (`pool0.StakingPool`,
/// `WithdrawalVault`), `zero`, or `0x…`.
pub fn address(world: &World, name: &str) -> Option<Address> {
    if name.eq_ignore_ascii_case("zero") {
        return Some(Address::ZERO);
    }
    if let Some(hex) = name.strip_prefix("0x") {
        return hex.parse::<Address>().ok().or_else(|| name.parse().ok());
    }
    if let Some(i) = actor_index(world, name) {
        return Some(world.actors.at(i));
    }
    world
        .address_book
        .iter()
        .chain(world.entry_points.iter().map(|e| &e.address))
        .find(|a| world.label(**a).eq_ignore_ascii_case(name))
        .copied()
}

/// The role `name` names: `VALIDATOR_ADMIN_ROLE`, `validator_admin`, `validator-admin`.
pub fn role(name: &str) -> Option<Role> {
    let norm = |s: &str| s.to_ascii_uppercase().replace('-', "_");
    let wanted = norm(name);
    Role::ALL.into_iter().find(|r| {
        let full = r.solidity_name();
        wanted == full || format!("{wanted}_ROLE") == full
    })
}

fn upgrade_target(name: &str) -> Option<UpgradeTarget> {
    let wanted = name.replace(['-', '_'], "").to_ascii_lowercase();
    UpgradeTarget::ALL
        .into_iter()
        .find(|t| format!("{t:?}").to_ascii_lowercase() == wanted)
}

/// The pool `poolN` names, checked against the world.
fn pool(world: &World, text: &str) -> Option<Result<u8, String>> {
    let n = text.strip_prefix("pool")?.parse::<usize>().ok()?;
    Some(if n < world.pools.len() {
        Ok(n as u8)
    } else {
        Err(format!(
            "{text} does not exist (this world has {} pools)",
            world.pools.len()
        ))
    })
}

/// How one field reads in `help`: its name and what it takes.
pub fn field_usage(name: &str, kind: FieldKind) -> String {
    let what = match kind {
        FieldKind::Pool => "poolN",
        FieldKind::Actor(_) => "actor",
        FieldKind::Amount { .. } if name.ends_with("_gwei") => "wei, sent as gwei",
        FieldKind::Amount { .. } | FieldKind::Fee | FieldKind::Payment => "wei",
        FieldKind::Loss { .. } => "wei (at most what the validator can lose)",
        FieldKind::Held { .. } if name.ends_with("_gwei") => "N% of held | wei, sent as gwei",
        FieldKind::Held {
            of: Holder::Operator,
            ..
        } => "N% of the operator's BGT | amount",
        FieldKind::Held {
            of: Holder::RewardsVault,
            ..
        } => "N% of the rewards vault's incentive tokens | amount",
        FieldKind::Held { .. } => "N% of held | amount",
        FieldKind::Bps { .. } => "bps | N%",
        FieldKind::RequestId => "request id, 0 = the one a holder would finalize",
        FieldKind::Count => "number",
        FieldKind::Role => "role",
        FieldKind::Report => "honest | zero | replay | +N% | -N% | balance (20000000bera)",
        FieldKind::Target => {
            "StakingPoolBeacon | SmartOperatorBeacon | Factory | WithdrawalVault | AccountingOracle"
        }
        FieldKind::EntryPoint => "Label.function",
        FieldKind::Words => "[seed, …]",
        FieldKind::Hook => "accept | revert | burn | reenter | repeat",
        FieldKind::Account => "actor or contract label",
    };
    format!("{name}=<{what}>")
}

/// `request-withdrawal [CALLER] pool=<poolN> …`: how an op kind is typed.
pub fn usage(kind: OpKind) -> String {
    let spec = kind.spec();
    let fields: Vec<String> = spec
        .fields
        .iter()
        .map(|f| field_usage(f.name, f.kind))
        .collect();
    format!("{} [CALLER] {}", kebab(spec.name), fields.join(" "))
        .trim_end()
        .to_string()
}

/// The value `text` gives a field of kind `kind` named `name`, if it has that field's form (`None`: another
/// field's form; `Some(Err)`: that form, but wrong).
fn field_value(
    world: &World,
    name: &str,
    kind: FieldKind,
    text: &str,
) -> Option<Result<ArgValue, String>> {
    let gwei = name.ends_with("_gwei");
    // An amount typed in wei (or with a unit) that is sent as whole gwei.
    let whole_gwei = |text: &str, wei: U256| -> Result<U256, String> {
        let unit = U256::from(poolguard_invariants::formulas::GWEI);
        if wei % unit != U256::ZERO {
            return Err(format!(
                "{name} is sent in gwei: {text} wei is not a whole number of gwei"
            ));
        }
        Ok(wei / unit)
    };
    let amount = |text: &str| -> Option<Result<U256, String>> {
        let starts_numeric = text
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit() || c == '.');
        if !starts_numeric {
            return None;
        }
        Some(number(text).and_then(|wei| if gwei { whole_gwei(text, wei) } else { Ok(wei) }))
    };
    let small = |text: &str, max: u64| -> Option<Result<u64, String>> {
        amount(text).map(|r| {
            r.and_then(|v| {
                (v <= U256::from(max))
                    .then(|| v.to::<u64>())
                    .ok_or_else(|| format!("{name}: {text} is above {max}"))
            })
        })
    };
    match kind {
        FieldKind::Pool => pool(world, text).map(|r| r.map(ArgValue::Byte)),
        FieldKind::Actor(_) => actor_index(world, text).map(|i| Ok(ArgValue::Byte(i))),
        FieldKind::Account => {
            let address = address(world, text)?;
            let book = &world.address_book;
            Some(
                book.iter()
                    .position(|a| *a == address)
                    .map(|i| ArgValue::Byte(i as u8))
                    .ok_or_else(|| format!("{text} is not in the world's address book")),
            )
        }
        FieldKind::Amount { .. } | FieldKind::Loss { .. } | FieldKind::Fee | FieldKind::Payment => {
            amount(text).map(|r| r.map(ArgValue::Word))
        }
        FieldKind::Held { .. } => {
            if text.eq_ignore_ascii_case("all") {
                return Some(Ok(ArgValue::Amount(Amount::Held { held_bps: 10_000 })));
            }
            if let Some(bps) = percent(text) {
                if text.starts_with(['+', '-']) {
                    return None;
                }
                // 0% is the zero edge, sent even when nothing is held; a share that only rounds to 0 is not.
                let some = text.chars().any(|c| matches!(c, '1'..='9'));
                return Some(bps.and_then(|b| {
                    if b == 0 && some {
                        return Err(format!(
                            "{text} is less than 0.01% of a holding (0% is none of it)"
                        ));
                    }
                    u16::try_from(b)
                        .map(|held_bps| ArgValue::Amount(Amount::Held { held_bps }))
                        .map_err(|_| format!("{text} is more than 655.35% of a holding"))
                }));
            }
            amount(text).map(|r| r.map(|v| ArgValue::Amount(Amount::Exact(v))))
        }
        FieldKind::Bps { .. } => {
            if let Some(bps) = percent(text) {
                if text.starts_with(['+', '-']) {
                    return None;
                }
                return Some(bps.and_then(|b| {
                    u16::try_from(b)
                        .map(ArgValue::U16)
                        .map_err(|_| format!("{text} is too many basis points"))
                }));
            }
            let bps = text.strip_suffix("bps").unwrap_or(text);
            small(bps, u64::from(u16::MAX)).map(|r| r.map(|v| ArgValue::U16(v as u16)))
        }
        FieldKind::RequestId => {
            let id = text.strip_prefix('#').unwrap_or(text);
            small(id, u64::MAX).map(|r| r.map(ArgValue::U64))
        }
        FieldKind::Count => small(text, 255).map(|r| r.map(|v| ArgValue::Byte(v as u8))),
        FieldKind::Role => role(text).map(|r| Ok(ArgValue::Role(r))),
        FieldKind::Report => {
            let report = match text.to_ascii_lowercase().as_str() {
                "honest" => Report::Honest,
                "zero" => Report::Zero,
                "replay" => Report::Replay,
                // A balance named outright: any amount, sent as whole gwei (`report=20000000bera`).
                _ if text.starts_with(|c: char| c.is_ascii_digit()) => {
                    return Some(
                        number(text)
                            .and_then(|wei| whole_gwei(text, wei))
                            .map(|g| ArgValue::Report(Report::Gwei(g))),
                    );
                }
                _ if text.starts_with(['+', '-']) => {
                    let bps = match percent(text) {
                        Some(bps) => bps,
                        None => {
                            let body = text.strip_suffix("bps")?;
                            body.parse::<i64>()
                                .map_err(|_| format!("not a report delta: {text:?}"))
                        }
                    };
                    return Some(bps.and_then(|b| {
                        i32::try_from(b)
                            .map(|b| ArgValue::Report(Report::Delta(b)))
                            .map_err(|_| format!("{text} is too large a delta"))
                    }));
                }
                _ => return None,
            };
            Some(Ok(ArgValue::Report(report)))
        }
        FieldKind::Target => upgrade_target(text).map(|t| Ok(ArgValue::Target(t))),
        FieldKind::Hook => crate::actions::HOOK_MODES
            .iter()
            .position(|h| h.eq_ignore_ascii_case(text))
            .map(|i| Ok(ArgValue::Byte(i as u8))),
        FieldKind::EntryPoint => {
            let (label, function) = text.rsplit_once('.')?;
            let found = world.entry_points.iter().position(|e| {
                e.label.eq_ignore_ascii_case(label)
                    && e.function.as_ref().map_or("receive", |f| f.name.as_str()) == function
            });
            Some(
                found
                    .map(|i| ArgValue::U16(i as u16))
                    .ok_or_else(|| format!("no entry point {text} (see `functions`)")),
            )
        }
        FieldKind::Words => {
            let inner = text.strip_prefix('[')?.strip_suffix(']')?;
            let seeds: Result<Vec<U256>, String> = inner
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(number)
                .collect();
            Some(seeds.map(ArgValue::Words))
        }
    }
}

/// The value an unnamed field takes: the pool 0, the caller for an actor field (the first contract actor for a
/// contract's), all of a holding, zero for an amount, the newest request; `None` for a field that must be given.
fn default_value(world: &World, kind: FieldKind, caller: u8) -> Option<ArgValue> {
    Some(match kind {
        FieldKind::Pool => ArgValue::Byte(0),
        FieldKind::Actor(ActorDraw::Contract) => {
            ArgValue::Byte(world.actors.index_of(*world.actors.contracts.first()?)?)
        }
        FieldKind::Actor(_) => ArgValue::Byte(caller),
        FieldKind::Held { .. } => ArgValue::Amount(Amount::Held { held_bps: 10_000 }),
        FieldKind::Amount { .. } | FieldKind::Loss { .. } | FieldKind::Fee | FieldKind::Payment => {
            ArgValue::Word(U256::ZERO)
        }
        FieldKind::Bps { .. } => ArgValue::U16(0),
        FieldKind::RequestId => ArgValue::U64(0),
        FieldKind::Count => ArgValue::Byte(1),
        FieldKind::Report => ArgValue::Report(Report::Honest),
        FieldKind::Hook => ArgValue::Byte(0),
        FieldKind::Words => ArgValue::Words(Vec::new()),
        FieldKind::EntryPoint => ArgValue::U16(0),
        FieldKind::Role | FieldKind::Target | FieldKind::Account => return None,
    })
}

/// Who sends an op when the command names no caller: the holder of what it needs (the pool's role holder,
/// governance, the feeder), the attacker for an outsider's op, else the first staker.
fn usual_caller(world: &World, op: &Op) -> u8 {
    let pool = op
        .pool()
        .map(|p| &world.pools[p as usize % world.pools.len()]);
    let who = match op.needs() {
        Needs::Feeder => Some(world.actors.feeder),
        Needs::Governance => Some(world.actors.governance),
        Needs::NotGovernance => Some(world.actors.attacker),
        Needs::PoolRole(role) => pool.map(|p| {
            let r = &p.roles;
            match role {
                Role::DefaultAdmin => world.actors.governance,
                Role::ValidatorAdmin => r.validator_admin,
                Role::CommissionManager => r.commission_manager,
                Role::ProtocolFeeManager => r.protocol_fee_manager,
                Role::RewardsAllocationManager => r.rewards_allocation_manager,
                Role::IncentiveCollectorManager => r.incentive_collector_manager,
                Role::BgtManager => r.bgt_manager,
            }
        }),
        Needs::System => Some(world.actors.system),
        Needs::Anyone => world.actors.stakers.first().copied(),
    };
    who.and_then(|a| world.actors.index_of(a)).unwrap_or(0)
}

/// How a step is sent, from the words every step command takes: `from X` / `from=X`, `signed-by X` /
/// `signed-by=X`, `roll=N`.
struct Sending {
    /// The sender, when named.
    caller: Option<u8>,
    /// Who signs a contract actor's transaction ([`Action::origin`]), when named.
    origin: Option<u8>,
    /// Blocks rolled first.
    roll: u32,
}

/// Splits how the step is sent out of `args`: that, and the rest.
fn sending(world: &World, args: &[String]) -> Result<(Sending, Vec<String>), String> {
    let mut sending = Sending {
        caller: None,
        origin: None,
        roll: 0,
    };
    let mut rest = Vec::new();
    let mut i = 0;
    let actor = |name: &str| {
        actor_index(world, name).ok_or_else(|| format!("no actor {name:?} (see `actors`)"))
    };
    while i < args.len() {
        let arg = &args[i];
        let mut named = |key: &str| -> Result<Option<String>, String> {
            if arg == key {
                i += 1;
                let name = args.get(i).ok_or(format!("`{key}` needs an actor"))?;
                Ok(Some(name.clone()))
            } else {
                Ok(arg.strip_prefix(&format!("{key}=")).map(str::to_string))
            }
        };
        if let Some(name) = named("from")? {
            sending.caller = Some(actor(&name)?);
        } else if let Some(name) = named("signed-by")? {
            sending.origin = Some(actor(&name)?);
        } else if let Some(n) = arg.strip_prefix("roll=") {
            sending.roll = n.parse().map_err(|_| format!("not a block count: {n:?}"))?;
        } else {
            rest.push(arg.clone());
        }
        i += 1;
    }
    Ok((sending, rest))
}

/// An op of `kind` from the words after its name: `[CALLER] [value | field=value]… [from ACTOR] [signed-by ACTOR]
/// [roll=N]`. A
/// word fills the first unfilled field that takes its form (`pool1` a pool, `staker2` an actor, `50%` a
/// portion, `1000e18` an amount); fields left out take [`default_value`]s.
pub fn op(world: &World, kind: OpKind, args: &[String]) -> Result<Action, String> {
    let spec: &OpSpec = kind.spec();
    let (sending, rest) = sending(world, args)?;
    let mut caller = sending.caller;
    let mut rest = rest.as_slice();
    if caller.is_none() {
        if let Some(first) = rest.first() {
            // The first word is the caller when it names an actor (`grant-feeder governance staker1`; a
            // field is named to leave the caller out: `grant-feeder account=staker1`).
            if let Some(i) = actor_index(world, first) {
                caller = Some(i);
                rest = &rest[1..];
            }
        }
    }
    let mut values: Vec<Option<ArgValue>> = vec![None; spec.fields.len()];
    for word in rest {
        if let Some((name, text)) = word.split_once('=') {
            let at = spec
                .fields
                .iter()
                .position(|f| f.name == name)
                .ok_or_else(|| {
                    format!(
                        "{} has no field {name:?}: {}",
                        kebab(spec.name),
                        usage(kind)
                    )
                })?;
            let field = &spec.fields[at];
            let value = field_value(world, field.name, field.kind, text).unwrap_or_else(|| {
                Err(format!(
                    "{text:?} is not a {}",
                    field_usage(field.name, field.kind)
                ))
            })?;
            values[at] = Some(value);
            continue;
        }
        let mut placed = false;
        for (at, field) in spec.fields.iter().enumerate() {
            if values[at].is_some() {
                continue;
            }
            if let Some(value) = field_value(world, field.name, field.kind, word) {
                values[at] = Some(value?);
                placed = true;
                break;
            }
        }
        if !placed {
            return Err(format!("{word:?} fits no field of {}", usage(kind)));
        }
    }
    // The caller's default depends on the op (its pool's role holder), so it comes from a draft.
    let draft_args: Vec<ArgValue> = values
        .iter()
        .zip(spec.fields)
        .map(|(v, f)| {
            v.clone()
                .or_else(|| default_value(world, f.kind, 0))
                .unwrap_or(ArgValue::Byte(0))
        })
        .collect();
    let caller = caller.unwrap_or_else(|| usual_caller(world, &Op::from_args(kind, &draft_args)));
    let mut final_args = Vec::with_capacity(spec.fields.len());
    for (value, field) in values.into_iter().zip(spec.fields) {
        match value.or_else(|| default_value(world, field.kind, caller)) {
            Some(v) => final_args.push(v),
            None => {
                return Err(format!(
                    "{} needs {}: {}",
                    kebab(spec.name),
                    field_usage(field.name, field.kind),
                    usage(kind)
                ))
            }
        }
    }
    signable(
        world,
        Action {
            caller,
            roll: sending.roll,
            op: Op::from_args(kind, &final_args),
            origin: sending.origin,
        },
    )
}

/// The value `text` gives an ABI parameter of type `ty`: numbers as amounts, addresses by actor or contract
/// name, `bytes` as `pool0.pubkey` or hex, `bytes32` as a role name or hex, arrays as `[a, b]`, tuples as
/// `(a, b)`.
pub fn abi_value(world: &World, ty: &DynSolType, text: &str) -> Result<DynSolValue, String> {
    let text = text.trim();
    let list = |open: char, close: char| -> Result<Vec<String>, String> {
        let inner = text
            .strip_prefix(open)
            .and_then(|t| t.strip_suffix(close))
            .ok_or_else(|| format!("expected {open}…{close}, got {text:?}"))?;
        split_top(inner)
    };
    Ok(match ty {
        DynSolType::Uint(bits) => DynSolValue::Uint(number(text)?, *bits),
        DynSolType::Int(bits) => {
            let (neg, body) = match text.strip_prefix('-') {
                Some(b) => (true, b),
                None => (false, text),
            };
            let magnitude = I256::try_from(number(body)?).map_err(|e| e.to_string())?;
            DynSolValue::Int(if neg { -magnitude } else { magnitude }, *bits)
        }
        DynSolType::Address => DynSolValue::Address(address(world, text).ok_or_else(|| {
            format!("no account {text:?} (an actor, a contract label, zero or 0x…)")
        })?),
        DynSolType::Bool => DynSolValue::Bool(match text {
            "true" => true,
            "false" => false,
            _ => return Err(format!("not a bool: {text:?}")),
        }),
        DynSolType::Bytes => {
            let name = text.strip_suffix(".pubkey").unwrap_or(text);
            if let Some(Ok(p)) = pool(world, name) {
                DynSolValue::Bytes(world.pools[p as usize].pubkey.to_vec())
            } else {
                DynSolValue::Bytes(hex(text)?)
            }
        }
        DynSolType::FixedBytes(size) => {
            let word: FixedBytes<32> = if let Some(r) = role(text) {
                r.id()
            } else if text.to_ascii_uppercase().ends_with("_ROLE") {
                keccak256(text.to_ascii_uppercase())
            } else {
                let bytes = hex(text)?;
                if bytes.len() != *size {
                    return Err(format!("{text:?} is not {size} bytes"));
                }
                let mut out = [0u8; 32];
                out[..*size].copy_from_slice(&bytes);
                out.into()
            };
            DynSolValue::FixedBytes(word, *size)
        }
        DynSolType::String => DynSolValue::String(text.trim_matches('"').to_string()),
        DynSolType::Array(inner) => DynSolValue::Array(
            list('[', ']')?
                .iter()
                .map(|t| abi_value(world, inner, t))
                .collect::<Result<_, _>>()?,
        ),
        DynSolType::FixedArray(inner, len) => {
            let items = list('[', ']')?;
            if items.len() != *len {
                return Err(format!("{text:?} needs {len} elements"));
            }
            DynSolValue::FixedArray(
                items
                    .iter()
                    .map(|t| abi_value(world, inner, t))
                    .collect::<Result<_, _>>()?,
            )
        }
        DynSolType::Tuple(types) => {
            let items = list('(', ')')?;
            if items.len() != types.len() {
                return Err(format!("{text:?} needs {} elements", types.len()));
            }
            DynSolValue::Tuple(
                types
                    .iter()
                    .zip(&items)
                    .map(|(t, v)| abi_value(world, t, v))
                    .collect::<Result<_, _>>()?,
            )
        }
        other => {
            return Err(format!(
                "parameters of type {other} cannot be typed in the console"
            ))
        }
    })
}

fn hex(text: &str) -> Result<Vec<u8>, String> {
    alloy_primitives::hex::decode(text).map_err(|_| format!("not hex bytes: {text:?}"))
}

/// Splits `a, (b, c), [d]` at its top-level commas.
fn split_top(text: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut item = String::new();
    for c in text.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            _ => {}
        }
        if c == ',' && depth == 0 {
            out.push(std::mem::take(&mut item).trim().to_string());
        } else {
            item.push(c);
        }
    }
    if depth != 0 {
        return Err(format!("unbalanced brackets in {text:?}"));
    }
    if !item.trim().is_empty() || !out.is_empty() {
        out.push(item.trim().to_string());
    }
    Ok(out)
}

/// `call TARGET FUNCTION(args) [value=N] [from ACTOR] [signed-by ACTOR] [roll=N]` (or `TARGET.FUNCTION(args)`): an
/// exact call
/// ([`Op::Call`]) of an entry point of the world, by anyone (default the attacker).
pub fn call(world: &World, args: &[String]) -> Result<Action, String> {
    let (sending, rest) = sending(world, args)?;
    let mut value = U256::ZERO;
    let mut target_words = Vec::new();
    for word in rest {
        match word.strip_prefix("value=") {
            Some(v) => value = number(v)?,
            None => target_words.push(word),
        }
    }
    let joined = target_words.join(".");
    let (head, arg_text) = match joined.split_once('(') {
        Some((head, tail)) => (
            head.to_string(),
            tail.strip_suffix(')')
                .ok_or_else(|| format!("unclosed ( in {joined:?}"))?
                .to_string(),
        ),
        None => (joined.clone(), String::new()),
    };
    let (label, name) = head
        .rsplit_once('.')
        .ok_or("usage: call TARGET FUNCTION(args) [value=N] [from ACTOR], e.g. call pool0.StakingPool submit(staker1) value=1e18 from staker1")?;
    let arg_texts = split_top(&arg_text)?;
    let candidates: Vec<(usize, &crate::entry_points::EntryPoint)> = world
        .entry_points
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            e.label.eq_ignore_ascii_case(label)
                && e.function.as_ref().map_or("receive", |f| f.name.as_str()) == name
        })
        .collect();
    if candidates.is_empty() {
        return Err(format!(
            "no state-changing function {name} on {label} (see `functions {label}`)"
        ));
    }
    let mut errors = Vec::new();
    for (index, point) in candidates {
        let Some(function) = &point.function else {
            if arg_texts.is_empty() {
                return signable(world, exact(world, &sending, index, Vec::new(), value));
            }
            continue;
        };
        if function.inputs.len() != arg_texts.len() {
            errors.push(format!(
                "{} takes {} arguments",
                point.signature,
                function.inputs.len()
            ));
            continue;
        }
        let values: Result<Vec<DynSolValue>, String> = function
            .inputs
            .iter()
            .zip(&arg_texts)
            .map(|(p, t)| {
                let ty = p.resolve().map_err(|e| e.to_string())?;
                abi_value(world, &ty, t).map_err(|e| format!("{} {}: {e}", p.ty, p.name))
            })
            .collect();
        match values.and_then(|v| abi::encode_words(function, &v)) {
            Ok(words) => return signable(world, exact(world, &sending, index, words, value)),
            Err(e) => errors.push(format!("{}: {e}", point.signature)),
        }
    }
    Err(errors.join("; "))
}

/// `action`, or why the signer it names would not sign it (see [`Action::signer`]).
fn signable(world: &World, action: Action) -> Result<Action, String> {
    let Some(origin) = action.origin else {
        return Ok(action);
    };
    if action.signer(world).is_some() {
        return Ok(action);
    }
    let name = |i| world.actors.name(world.actors.at(i));
    Err(if world.actors.is_contract(world.actors.at(origin)) {
        format!("{} has code: it cannot sign a transaction", name(origin))
    } else {
        format!(
            "`signed-by` signs a contract actor's step; {} sends its own transactions",
            name(action.caller)
        )
    })
}

fn exact(world: &World, sending: &Sending, entry: usize, words: Vec<U256>, value: U256) -> Action {
    let caller = sending
        .caller
        .unwrap_or_else(|| world.actors.index_of(world.actors.attacker).unwrap_or(0));
    Action {
        caller,
        roll: sending.roll,
        op: Op::Call {
            entry: entry as u16,
            words,
            value,
        },
        origin: sending.origin,
    }
}
