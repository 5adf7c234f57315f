//! The z3 encodings agree with the Rust evaluators in [`super::formulas`] point by point: for concrete inputs,
//! the encoding's value is forced to the evaluator's, and it has no non-reverting execution exactly where the
//! evaluator reverts. With `tests/smt_differential.rs` (evaluators = bytecode) this ties each model to the code.

use std::time::Duration;

use alloy_primitives::U256;
use z3::ast::{Bool, Int};
use z3::SatResult;

use super::formulas as f;
use super::model::{self as m, all, int, Ctx};

/// splitmix64: a tiny deterministic generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn u256(&mut self) -> U256 {
        let edges = [
            U256::ZERO,
            U256::from(1),
            U256::from(2),
            U256::from(1) << 255,
            U256::MAX,
            U256::MAX - U256::from(1),
            f::FIRST_DEPOSIT_AMOUNT,
            f::BERA_SUPPLY_BOUND,
            U256::from(2000),
            U256::from(10_000),
        ];
        match self.next() % 4 {
            0 => edges[(self.next() % edges.len() as u64) as usize],
            1 => U256::from(self.next() % 1_000),
            2 => {
                let bits = 1 + self.next() % 256;
                let v = U256::from_limbs([self.next(), self.next(), self.next(), self.next()]);
                if bits == 256 {
                    v
                } else {
                    v & ((U256::from(1) << bits as usize) - U256::from(1))
                }
            }
            _ => {
                f::FIRST_DEPOSIT_AMOUNT
                    + U256::from(self.next()) * U256::from(self.next() % 1_000_000)
            }
        }
    }
}

/// Checks one point: `encode` over constants vs `eval`.
fn agree(
    name: &str,
    inputs: &[U256],
    encode: &dyn Fn(&mut Ctx, &[Int]) -> Vec<Int>,
    eval: &dyn Fn(&[U256]) -> Option<Vec<U256>>,
) {
    let mut ctx = Ctx::new(Duration::from_secs(10));
    let args: Vec<Int> = inputs.iter().map(|&x| int(x)).collect();
    let outs = encode(&mut ctx, &args);
    let ok = all(&ctx.take_guards());
    let solver = ctx.solver();
    match eval(inputs) {
        Some(expected) => {
            solver.push();
            solver.assert(&ok);
            assert_eq!(
                solver.check(),
                SatResult::Sat,
                "{name}{inputs:?}: the encoding reverts, the evaluator gives {expected:?}"
            );
            let differs: Vec<Bool> = outs
                .iter()
                .zip(&expected)
                .map(|(o, e)| o.eq(int(*e)).not())
                .collect();
            solver.assert(Bool::or(&differs));
            assert_eq!(
                solver.check(),
                SatResult::Unsat,
                "{name}{inputs:?}: the encoding allows a value other than {expected:?}"
            );
            solver.pop(1);
        }
        None => {
            solver.assert(&ok);
            assert_eq!(
                solver.check(),
                SatResult::Unsat,
                "{name}{inputs:?}: the evaluator reverts, the encoding does not"
            );
        }
    }
}

const POINTS: usize = 150;

fn run(
    name: &str,
    arity: usize,
    seed: u64,
    encode: &dyn Fn(&mut Ctx, &[Int]) -> Vec<Int>,
    eval: &dyn Fn(&[U256]) -> Option<Vec<U256>>,
) {
    let mut rng = Rng(seed);
    for _ in 0..POINTS {
        let inputs: Vec<U256> = (0..arity).map(|_| rng.u256()).collect();
        agree(name, &inputs, encode, eval);
    }
}

#[test]
fn share_conversions_agree() {
    for (i, rounding) in [f::Rounding::Floor, f::Rounding::Ceil]
        .into_iter()
        .enumerate()
    {
        run(
            "to_shares",
            3,
            11 + i as u64,
            &|ctx, x| vec![m::to_shares(ctx, &x[0], &x[1], &x[2], rounding)],
            &|x| f::to_shares(x[0], x[1], x[2], rounding).map(|v| vec![v]),
        );
        run(
            "to_assets",
            3,
            21 + i as u64,
            &|ctx, x| vec![m::to_assets(ctx, &x[0], &x[1], &x[2], rounding)],
            &|x| f::to_assets(x[0], x[1], x[2], rounding).map(|v| vec![v]),
        );
    }
}

#[test]
fn fee_math_agrees() {
    run(
        "fee_of",
        2,
        31,
        &|ctx, x| vec![m::fee_of(ctx, &x[0], &x[1])],
        &|x| f::fee_of(x[0], x[1]).map(|v| vec![v]),
    );
    run(
        "fee_shares",
        3,
        32,
        &|ctx, x| vec![m::fee_shares(ctx, &x[0], &x[1], &x[2])],
        &|x| f::fee_shares(x[0], x[1], x[2]).map(|v| vec![v]),
    );
    run(
        "split_fee_shares",
        4,
        33,
        &|ctx, x| {
            let (c, p) = m::split_fee_shares(ctx, &x[0], &x[1], &x[2], &x[3]);
            vec![c, p]
        },
        &|x| f::split_fee_shares(x[0], x[1], x[2], x[3]).map(|(c, p)| vec![c, p]),
    );
    // Inputs that take each path of splitFeeShares (random ones rarely do): neither part over its fee; the
    // commission part, the protocol part, both give back a share; the fallback, after one or both gave back.
    let split_paths: [[&str; 4]; 6] = [
        [
            "70841919002507010799",
            "35848604057394821239",
            "0",
            "419511924428904912958",
        ],
        ["35529301490", "37718484270", "8", "95262891327"],
        [
            "312184964663919556455910",
            "254360981393088129918088",
            "79",
            "811024379072899219104978",
        ],
        [
            "426791718233205224918",
            "375544577211316240615",
            "80",
            "928769062014794346540",
        ],
        [
            "2750757521573894065870619605",
            "1877702761411366210537518525",
            "0",
            "5793418920644194447354419077",
        ],
        ["31095343", "30262685", "9", "62812347"],
    ];
    for point in split_paths {
        let x: Vec<U256> = point.iter().map(|v| v.parse().unwrap()).collect();
        agree(
            "split_fee_shares",
            &x,
            &|ctx, x| {
                let (c, p) = m::split_fee_shares(ctx, &x[0], &x[1], &x[2], &x[3]);
                vec![c, p]
            },
            &|x| f::split_fee_shares(x[0], x[1], x[2], x[3]).map(|(c, p)| vec![c, p]),
        );
    }
    run(
        "floor_split_fee_shares",
        4,
        35,
        &|ctx, x| {
            let s = m::fee_split(ctx, &x[0], &x[1], &x[2], &x[3], m::SplitKind::FloorOnly);
            vec![s.commission_shares, s.protocol_shares]
        },
        &|x| f::floor_split_fee_shares(x[0], x[1], x[2], x[3]).map(|(c, p)| vec![c, p]),
    );
    run(
        "net_of_fees",
        3,
        34,
        &|ctx, x| vec![m::net_of_fees(ctx, &x[0], &x[1], &x[2])],
        &|x| f::net_of_fees(x[0], x[1], x[2]).map(|v| vec![v]),
    );
}
