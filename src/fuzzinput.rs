//! The byte format of libFuzzer inputs: raw bytes ⇄ a sequence of [`Action`]s.
//!
//! The libFuzzer targets in `fuzz/`, `poolguard corpus import/export` and `poolguard replay` (of a crash file)
//! all decode with this module, so a crash found by `cargo fuzz` replays exactly.
//!
//! # Format (version 10: [`Report::Gwei`], a fifth report tag, and `OracleReportNewPool`'s report; version 9: an origin tag after the roll, [`Action::origin`]; version 8: `DeployPool`, `OracleReportNewPool`, `ActivatePool`, `SendTokensToRewardsVault` and `RecoverTokens`,
//! whose selectors come before `Wait`'s; version 7: the amounts of `RedeemBgt` and `QueueDropBoost` became [`Amount`]s, a portion being of the
//! operator's BGT, and `WaitUntilDue`'s selector comes before `Wait`'s; version 6: `TransferOwnership`, whose selector comes before `Wait`'s; version 5: `FinalizeDue`, whose selector comes before `Wait`'s, and `QueueDropBoost`'s amount a
//! 32-byte word like every amount; version 4: the amounts of requests and share transfers became [`Amount`]s, a tag byte before them;
//! version 3: version 2 plus `ArmHook` and `ForceSend`, whose selectors come before `Wait`'s; version 2 added
//! `AbiCall` there)
//!
//! An input is a list of records, one per action, read until the input ends or [`MAX_ACTIONS`] actions have
//! been read. Every byte string decodes (decoding never fails and never panics): a record cut short reads the
//! missing bytes as zero. Integers are big-endian. A record is
//!
//! | bytes | field |
//! | --- | --- |
//! | 1 | op selector: index into the [`Alphabet`]'s table of [`OpKind`]s, taken modulo its length |
//! | 1 | caller: [`Action::caller`] (an actor index, taken modulo the number of actors when planned) |
//! | 1 (+4) | roll tag `t`: `t < 0x80` no roll; `0x80..=0xbf` roll `t & 0x3f` blocks; `0xc0..=0xdf` roll [`ROLLS`]`[t & 0x1f]` (the suite's delays, their neighbours and halves); `t >= 0xe0` roll = the next 4 bytes (u32) |
//! | 1 (+1) | origin tag: even, no [`Action::origin`]; odd, the next byte is it (an actor index) |
//! | … | the op's arguments, in the order of the fields of [`Op`], each in a fixed width (below) |
//!
//! Argument widths: pool, actor and address-book indexes, a hook mode, `max` of `ClProcessWithdrawals`: 1 byte. Amounts, shares,
//! values, fees (`U256`): **32 bytes**, the raw big-endian word, exactly as it appears in the calldata or as
//! `msg.value`, so that a comparison operand the EVM reports to libFuzzer (a 32-byte word) can be found in
//! and substituted into the input byte for byte. `bps`, oracle bounds: 2 bytes. `Finalize` id: 8 bytes. [`Role`]: 1 byte, index into [`Role::ALL`] modulo 7. [`UpgradeTarget`]: 1 byte
//! modulo 5 (declaration order). [`Report`]: a tag byte modulo 5 (`Honest`, `Delta`, `Zero`, `Replay`,
//! `Gwei`), followed for `Delta` by its basis points as a 4-byte signed integer and for `Gwei` by the balance's
//! 32-byte word, as the calldata sends it. An entry point index: 2 bytes. ABI
//! argument seeds: a count byte (modulo [`MAX_WORDS`] + 1), then that many 32-byte words. An [`Amount`] (what a
//! request, a share transfer or a BGT redemption or drop asks for): a tag byte, even for an exact amount (then its
//! 32-byte word), odd for a portion of the holding (then its basis points, 2 bytes).
//!
//! [`encode`] is the inverse of [`decode`] on every sequence of at most [`MAX_ACTIONS`] actions whose kinds
//! are in the alphabet: `decode(&encode(s)?) == s`.

use std::fmt;
use std::str::FromStr;

use alloy_primitives::U256;

use crate::actions::{
    Action, Amount, ArgValue, FieldKind, Op, OpKind, Report, Role, UpgradeTarget,
};

/// Block rolls one tag byte selects (`0xc0 | index`): the suite's delays (withdrawal finalization 129,600,
/// BeraChef's commission delay 16,382, boost delays 8,191/8,192), one block either side, fractions of them, and a
/// few round and extreme values. A random 4-byte roll is almost always far beyond every delay; these make the
/// boundaries reachable by a one-byte mutation.
pub const ROLLS: [u32; 32] = [
    64,
    100,
    256,
    1_000,
    4_096,
    8_190,
    8_191,
    8_192,
    8_193,
    16_381,
    16_382,
    16_383,
    32_400,
    43_200,
    64_799,
    64_800,
    64_801,
    86_400,
    100_000,
    129_598,
    129_599,
    129_600,
    129_601,
    129_602,
    200_000,
    259_200,
    1_000_000,
    2_592_000,
    10_000_000,
    100_000_000,
    0x7fff_ffff,
    u32::MAX,
];

/// Most ABI argument seeds one action carries in an input (longer lists are cut when encoded).
pub const MAX_WORDS: u8 = 16;

/// Most actions one input decodes to (longer inputs are cut), bounding the time of one libFuzzer run.
pub const MAX_ACTIONS: usize = 64;

/// Which op kinds an input's selector byte chooses from. Each libFuzzer target uses one; a crash file must be
/// decoded with its target's alphabet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Alphabet {
    /// Every [`OpKind`] campaigns generate, in [`OpKind::ALL`] order (the `sequence` target).
    #[default]
    Full,
    /// Oracle reports, consensus-layer balance moves and what they interact with (deposits, withdrawals,
    /// exits, oracle administration), reports weighted up (the `oracle` target).
    Oracle,
}

/// The `oracle` target's table: reports, CL rewards and penalties weighted by repetition.
const ORACLE_KINDS: [OpKind; 24] = [
    OpKind::OracleReport,
    OpKind::OracleReport,
    OpKind::OracleReport,
    OpKind::OracleReport,
    OpKind::OracleReport,
    OpKind::ClReward,
    OpKind::ClReward,
    OpKind::ClPenalty,
    OpKind::ClPenalty,
    OpKind::ClProcessWithdrawals,
    OpKind::Submit,
    OpKind::Submit,
    OpKind::RequestWithdrawal,
    OpKind::RequestRedeem,
    OpKind::Finalize,
    OpKind::FinalizeAll,
    OpKind::ProcessRewards,
    OpKind::DonateToRewardsVault,
    OpKind::SendPendingExit,
    OpKind::SetOracleBounds,
    OpKind::GrantFeeder,
    OpKind::SetMinEffectiveBalance,
    OpKind::MintBgt,
    OpKind::Wait,
];

/// The full alphabet: every kind of weight above 0 (the console's exact `Call` is never generated).
static GENERATED_KINDS: std::sync::LazyLock<Vec<OpKind>> = std::sync::LazyLock::new(|| {
    OpKind::ALL
        .into_iter()
        .filter(|k| k.spec().generated())
        .collect()
});

impl Alphabet {
    /// Every alphabet.
    pub const ALL: [Alphabet; 2] = [Alphabet::Full, Alphabet::Oracle];

    /// The selector table: selector byte `b` means `kinds()[b % kinds().len()]`.
    pub fn kinds(self) -> &'static [OpKind] {
        match self {
            Alphabet::Full => &GENERATED_KINDS,
            Alphabet::Oracle => &ORACLE_KINDS,
        }
    }

    /// The name of the libFuzzer target that uses this alphabet (`sequence`, `oracle`).
    pub fn target(self) -> &'static str {
        match self {
            Alphabet::Full => "sequence",
            Alphabet::Oracle => "oracle",
        }
    }

    /// The selector byte of `kind`, if the alphabet has it.
    pub fn selector(self, kind: OpKind) -> Option<u8> {
        self.kinds()
            .iter()
            .position(|k| *k == kind)
            .map(|i| i as u8)
    }
}

impl fmt::Display for Alphabet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.target())
    }
}

impl FromStr for Alphabet {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Alphabet::ALL
            .into_iter()
            .find(|a| a.target() == s)
            .ok_or_else(|| format!("unknown fuzz target {s:?} (expected sequence or oracle)"))
    }
}

/// Why a sequence cannot be encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// The op's kind is not in the alphabet.
    #[error("action {index} ({kind}) is not in the {alphabet} target's alphabet")]
    NotInAlphabet {
        /// Index of the action.
        index: usize,
        /// Its kind.
        kind: &'static str,
        /// The alphabet.
        alphabet: Alphabet,
    },
    /// More actions than an input decodes to.
    #[error("{0} actions: an input holds at most {MAX_ACTIONS}")]
    TooLong(usize),
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn more(&self) -> bool {
        self.pos < self.data.len()
    }

    fn array<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        for byte in out.iter_mut() {
            *byte = self.u8();
        }
        out
    }

    fn u8(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos = self.pos.saturating_add(1);
        b
    }

    fn u16(&mut self) -> u16 {
        u16::from_be_bytes(self.array())
    }

    fn u32(&mut self) -> u32 {
        u32::from_be_bytes(self.array())
    }

    fn u64(&mut self) -> u64 {
        u64::from_be_bytes(self.array())
    }

    fn u256(&mut self) -> U256 {
        U256::from_be_bytes(self.array::<32>())
    }

    fn role(&mut self) -> Role {
        Role::ALL[self.u8() as usize % Role::ALL.len()]
    }

    fn roll(&mut self) -> u32 {
        let t = self.u8();
        match t {
            0x00..=0x7f => 0,
            0x80..=0xbf => u32::from(t & 0x3f),
            0xc0..=0xdf => ROLLS[usize::from(t & 0x1f)],
            _ => self.u32(),
        }
    }

    fn report(&mut self) -> Report {
        match self.u8() % 5 {
            0 => Report::Honest,
            1 => Report::Delta(i32::from_be_bytes(self.array())),
            2 => Report::Zero,
            3 => Report::Replay,
            _ => Report::Gwei(self.u256()),
        }
    }

    fn target(&mut self) -> UpgradeTarget {
        UpgradeTarget::ALL[self.u8() as usize % UpgradeTarget::ALL.len()]
    }

    /// A field's value, in the width its kind's type has.
    fn field(&mut self, kind: FieldKind) -> ArgValue {
        match kind {
            FieldKind::Pool
            | FieldKind::Actor(_)
            | FieldKind::Count
            | FieldKind::Hook
            | FieldKind::Account => ArgValue::Byte(self.u8()),
            FieldKind::Amount { .. }
            | FieldKind::Loss { .. }
            | FieldKind::Fee
            | FieldKind::Payment => ArgValue::Word(self.u256()),
            FieldKind::Bps { .. } => ArgValue::U16(self.u16()),
            FieldKind::RequestId => ArgValue::U64(self.u64()),
            FieldKind::Role => ArgValue::Role(self.role()),
            FieldKind::Report => ArgValue::Report(self.report()),
            FieldKind::Target => ArgValue::Target(self.target()),
            FieldKind::EntryPoint => ArgValue::U16(self.u16()),
            FieldKind::Words => {
                let len = self.u8() % (MAX_WORDS + 1);
                ArgValue::Words((0..len).map(|_| self.u256()).collect())
            }
            FieldKind::Held { .. } => ArgValue::Amount(match self.u8() % 2 {
                0 => Amount::Exact(self.u256()),
                _ => Amount::Held {
                    held_bps: self.u16(),
                },
            }),
        }
    }

    fn op(&mut self, kind: OpKind) -> Op {
        let args: Vec<ArgValue> = kind
            .spec()
            .fields
            .iter()
            .map(|f| self.field(f.kind))
            .collect();
        Op::from_args(kind, &args)
    }
}

/// Decodes a libFuzzer input into actions (see the [module docs](self) for the format). Total: every byte
/// string gives a sequence (the empty input the empty sequence), never an error or a panic.
pub fn decode(data: &[u8], alphabet: Alphabet) -> Vec<Action> {
    let kinds = alphabet.kinds();
    let mut r = Reader { data, pos: 0 };
    let mut actions = Vec::new();
    while r.more() && actions.len() < MAX_ACTIONS {
        let kind = kinds[r.u8() as usize % kinds.len()];
        let caller = r.u8();
        let roll = r.roll();
        let origin = (r.u8() % 2 == 1).then(|| r.u8());
        let op = r.op(kind);
        actions.push(Action {
            caller,
            roll,
            op,
            origin,
        });
    }
    actions
}

#[derive(Default)]
struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u16(&mut self, v: u16) {
        self.0.extend_from_slice(&v.to_be_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_be_bytes());
    }
    fn u256(&mut self, v: &U256) {
        self.0.extend_from_slice(&v.to_be_bytes::<32>());
    }
    fn role(&mut self, role: Role) {
        self.u8(role.index() as u8);
    }
    fn roll(&mut self, roll: u32) {
        match (roll, ROLLS.iter().position(|r| *r == roll)) {
            (0, _) => self.u8(0),
            (1..=0x3f, _) => self.u8(0x80 | roll as u8),
            (_, Some(i)) => self.u8(0xc0 | i as u8),
            _ => {
                self.u8(0xe0);
                self.0.extend_from_slice(&roll.to_be_bytes());
            }
        }
    }

    fn op(&mut self, op: &Op) {
        for value in op.args() {
            match value {
                ArgValue::Byte(v) => self.u8(v),
                ArgValue::U16(v) => self.u16(v),
                ArgValue::U64(v) => self.u64(v),
                ArgValue::Word(v) => self.u256(&v),
                ArgValue::Role(role) => self.role(role),
                ArgValue::Report(report) => match report {
                    Report::Honest => self.u8(0),
                    Report::Delta(bps) => {
                        self.u8(1);
                        self.0.extend_from_slice(&bps.to_be_bytes());
                    }
                    Report::Zero => self.u8(2),
                    Report::Replay => self.u8(3),
                    Report::Gwei(balance) => {
                        self.u8(4);
                        self.u256(&balance);
                    }
                },
                ArgValue::Words(words) => {
                    let kept = &words[..words.len().min(usize::from(MAX_WORDS))];
                    self.u8(kept.len() as u8);
                    for w in kept {
                        self.u256(w);
                    }
                }
                ArgValue::Target(target) => {
                    let i = UpgradeTarget::ALL.iter().position(|t| *t == target);
                    self.u8(i.unwrap_or(0) as u8);
                }
                ArgValue::Amount(Amount::Exact(v)) => {
                    self.u8(0);
                    self.u256(&v);
                }
                ArgValue::Amount(Amount::Held { held_bps }) => {
                    self.u8(1);
                    self.u16(held_bps);
                }
            }
        }
    }
}

/// Encodes `actions` as a libFuzzer input for `alphabet`'s target; [`decode`] gives them back.
///
/// # Errors
///
/// [`EncodeError::NotInAlphabet`] for an action whose kind the alphabet lacks, [`EncodeError::TooLong`] for
/// more than [`MAX_ACTIONS`] actions.
pub fn encode(actions: &[Action], alphabet: Alphabet) -> Result<Vec<u8>, EncodeError> {
    if actions.len() > MAX_ACTIONS {
        return Err(EncodeError::TooLong(actions.len()));
    }
    let mut w = Writer::default();
    for (index, action) in actions.iter().enumerate() {
        let kind = OpKind::of(&action.op);
        let selector = alphabet.selector(kind).ok_or(EncodeError::NotInAlphabet {
            index,
            kind: kind.name(),
            alphabet,
        })?;
        w.u8(selector);
        w.u8(action.caller);
        w.roll(action.roll);
        match action.origin {
            None => w.u8(0),
            Some(origin) => {
                w.u8(1);
                w.u8(origin);
            }
        }
        w.op(&action.op);
    }
    Ok(w.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::strategy::{random_sequence, test_context as context};
    use rand::rngs::SmallRng;
    use rand::{Rng, SeedableRng};

    #[test]
    fn generated_sequences_round_trip() {
        let ctx = context();
        let mut rng = SmallRng::seed_from_u64(9);
        for _ in 0..3_000 {
            let mut seq = random_sequence(&mut rng, &ctx, MAX_ACTIONS);
            for a in &mut seq {
                a.roll = match rng.random_range(0..5) {
                    0 => 0,
                    1 => rng.random_range(1..64),
                    2 => rng.random_range(64..u32::MAX),
                    3 => ROLLS[rng.random_range(0..ROLLS.len())],
                    _ => u32::MAX,
                };
            }
            let bytes = encode(&seq, Alphabet::Full).unwrap();
            assert_eq!(decode(&bytes, Alphabet::Full), seq);
        }
    }

    #[test]
    fn every_kind_round_trips_in_each_alphabet_that_has_it() {
        let ctx = context();
        let mut rng = SmallRng::seed_from_u64(1);
        let mut seen = std::collections::HashSet::new();
        while seen.len() < Alphabet::Full.kinds().len() {
            let seq = random_sequence(&mut rng, &ctx, 8);
            for alphabet in Alphabet::ALL {
                let kept: Vec<Action> = seq
                    .iter()
                    .filter(|a| alphabet.selector(OpKind::of(&a.op)).is_some())
                    .cloned()
                    .collect();
                assert_eq!(decode(&encode(&kept, alphabet).unwrap(), alphabet), kept);
            }
            seen.extend(seq.iter().map(|a| OpKind::of(&a.op)));
        }
    }

    #[test]
    fn any_bytes_decode_and_re_encode_to_the_same_actions() {
        let mut rng = SmallRng::seed_from_u64(2);
        for _ in 0..20_000 {
            let len = rng.random_range(0..400);
            let data: Vec<u8> = (0..len).map(|_| rng.random()).collect();
            for alphabet in Alphabet::ALL {
                let actions = decode(&data, alphabet);
                assert!(actions.len() <= MAX_ACTIONS);
                assert_eq!(actions.is_empty(), data.is_empty());
                let again = encode(&actions, alphabet).unwrap();
                assert_eq!(decode(&again, alphabet), actions);
            }
        }
    }

    #[test]
    fn amounts_are_raw_words_in_the_input() {
        let amount = U256::from(0x1234_5678_9abc_def0u64) << 100;
        let seq = vec![Action {
            origin: None,
            caller: 7,
            roll: 0,
            op: Op::Submit {
                pool: 1,
                receiver: 2,
                amount,
            },
        }];
        let bytes = encode(&seq, Alphabet::Full).unwrap();
        let word = amount.to_be_bytes::<32>();
        assert!(
            bytes.windows(32).any(|w| w == word),
            "the 32-byte word appears verbatim"
        );
        assert_eq!(bytes.len(), 1 + 1 + 1 + 1 + 2 + 32);
        // Replacing the word in place (what libFuzzer does with a compare operand) changes just the amount.
        let other = U256::from(42u8);
        let mut patched = bytes.clone();
        let at = bytes.windows(32).position(|w| w == word).unwrap();
        patched[at..at + 32].copy_from_slice(&other.to_be_bytes::<32>());
        assert_eq!(
            decode(&patched, Alphabet::Full)[0].op,
            Op::Submit {
                pool: 1,
                receiver: 2,
                amount: other
            }
        );
    }

    #[test]
    fn out_of_alphabet_and_too_long_are_errors() {
        let seq = vec![Action {
            origin: None,
            caller: 0,
            roll: 0,
            op: Op::PauseVault {},
        }];
        assert!(matches!(
            encode(&seq, Alphabet::Oracle),
            Err(EncodeError::NotInAlphabet { index: 0, .. })
        ));
        let long = vec![
            Action {
                origin: None,
                caller: 0,
                roll: 0,
                op: Op::Wait {}
            };
            MAX_ACTIONS + 1
        ];
        assert_eq!(
            encode(&long, Alphabet::Full),
            Err(EncodeError::TooLong(MAX_ACTIONS + 1))
        );
        assert_eq!("oracle".parse::<Alphabet>(), Ok(Alphabet::Oracle));
        assert!("nope".parse::<Alphabet>().is_err());
    }
}
