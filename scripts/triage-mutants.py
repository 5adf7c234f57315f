#!/usr/bin/env python3
"""Writes invariants/MUTANTS.md: every survivor of a `poolguard mutate` run, triaged.

Usage: scripts/triage-mutants.py MUTANTS_JSON > invariants/MUTANTS.md

Each survivor gets one verdict: argued equivalent (EQUIVALENT, with its one-line reason) or a gap, named by the
oracle that would kill it. The verdicts are the table below (by mutant id); a survivor missing from it is listed as
"not triaged", so a new run shows what is left to look at.
"""
import json
import sys

# Gap classes: what the catalog lacks, and the invariant (or exploration change) that would kill the class.
CLASSES = {
    "EQUIVALENT": "Argued equivalent: no execution of the suite can tell it from the original.",
    "EVENTS": "Only an emitted event changes (its arguments, or a reason code only an event carries). No check "
    "compares events with state. Fix: one events-against-state pass (AUDIT.md, fix 2): each event's amounts and "
    "accounts against the balances and storage the step changed.",
    "FEES": "Fee arithmetic off by a few wei or shares, or split between the wrong recipients. FEE-002 bounds fees "
    "by the 20% cap only. Fix: exact fees from the ghost (issue 13, item 3): per reward, each recipient's minted "
    "shares are worth rate x reward rounded down, within one share, at the rate read from BeraChef and storage.",
    "WIRING": "A feature stops working or does nothing: an initializer assignment, a call forwarded to a chain "
    "contract, or a role-gated setter whose effect is lost. No check says that a privileged op which SPEC allows "
    "succeeds and has its effect. Fix: op postconditions (the op spec declares the state it must leave: a queued "
    "commission in BeraChef, an applied upgrade, a new payout, a paused flag) and liveness of role holders' ops.",
    "CONSTANTS": "A configured value or a bound moves by one (oracle bounds, payout, caps, thresholds). The harness "
    "reads these from the suite, or never drives a call to the exact edge. Fix: SPEC's constants in the ghost "
    "(bounds, payout, minimum and maximum balances) compared with what the suite enforces, and edge values "
    "(constant - 1, constant, constant + 1) for every amount field, as the bps fields now have.",
    "WITHDRAWALS": "A withdrawal stays blocked or is paid or refunded short: the delay one block longer, a payout "
    "not synced, an overpaid fee refunded one wei short. Fix: the liveness invariants of issue 13, item 4 (every "
    "request past its delay whose pool has the funds finalizes; overpaid fees are refunded to the payer, from the "
    "fee the WithdrawalRequests stand-in charged).",
    "RECIPIENT": "Tokens, shares, a request or a refund go to another account than the call names (msg.sender "
    "replaced, arguments swapped). Fix: op postconditions from calldata: the receiver the call names gains the "
    "shares, the claimer the incentive tokens, the requester the request NFT and its refund.",
    "REENTRANCY": "A reentrancy guard is removed or an external call moves before the state it should follow. The "
    "campaign has not yet built the re-entering sequence (see the directed wd-001-reentrant-finalize in "
    "BENCHMARKS.md section 9). Fix: seed contract actors' hooks with the call that re-enters the step's own entry.",
    "EXPLORATION": "The invariant that would fire exists, but the campaign did not reach the state in 20 s: a "
    "paused vault with a request, an entry point made public, a rare boundary. Fix: more runs, or the yield and "
    "coverage scheduling of issue 15.",
    "OVERFLOW": "Argued equivalent in every reachable state: the checked operation is bounded by a guard or a min() "
    "just before it, so removing Solidity's overflow check changes no execution that can happen.",
}

# Verdict per survivor id (relative to src/core/), with an optional note.
VERDICTS = {
    "AccountingOracle.sol:35:delete-call:0": ("EQUIVALENT", "`__AccessControl_init()` is empty in OZ 5 (only `onlyInitializing`, already true inside `initialize`)."),
    "AccountingOracle.sol:39:off-by-one:0": ("CONSTANTS", "initial +1% bound becomes 1.01%"),
    "AccountingOracle.sol:40:off-by-one:0": ("CONSTANTS", "initial -5% bound becomes 5.01%"),
    "AccountingOracle.sol:49:delete-guard:0": ("EQUIVALENT", "an unknown pubkey then calls `isFullyExited()` on address 0, which has no code: the call reverts, another error for the same refusal."),
    "AccountingOracle.sol:49:off-by-one:0": ("EQUIVALENT", "compares with address(1), where no pool is: an unknown pubkey reverts at the call to address 0 as above."),
    "AccountingOracle.sol:52:delete-guard:0": ("CONSTANTS", "the absolute report cap; reports above 2x the maximum balance are never generated"),
    "AccountingOracle.sol:52:off-by-one:1": ("CONSTANTS", "the absolute report cap one gwei lower"),
    "AccountingOracle.sol:55:delete-guard:0": ("EXPLORATION", "a report on an exited pool then reverts in the pool (`PoolFullyExited`) unless inactive; needs a report after a full exit of an inactive pool"),
    "AccountingOracle.sol:57:off-by-one:0": ("CONSTANTS", "bounds skipped for a report of 1 wei instead of 0"),
    "AccountingOracle.sol:61:off-by-one:0": ("EQUIVALENT", "While a pool is live, `expectedClBalance()` is whole gwei (totalDeposits moves by whole gwei, pending withdrawals are whole-gwei requests paid in full), so `up` is a multiple of 10^5 and `expected + up + 1` is never the whole-gwei balance of a report."),
    "AccountingOracle.sol:61:off-by-one:2": ("CONSTANTS", "lower bound one wei looser"),
    "AccountingOracle.sol:71:flip-comparison:0": ("CONSTANTS", "setBounds refuses exactly 100%"),
    "AccountingOracle.sol:71:flip-comparison:1": ("CONSTANTS", "setBounds refuses exactly 100%"),
    "AccountingOracle.sol:74:delete-assignment:0": ("WIRING", "setBounds does not change the increase bound (ORACLE-003 reads the bound from the suite)"),
    "AccountingOracle.sol:76:swap-arguments:0": ("EVENTS", None),
    "FeeMath.sol:17:flip-comparison:0": ("FEES", "feeShares returns 0 for every non-zero fee except when the fee is 0"),
    "IncentiveCollector.sol:16:off-by-one:1": ("CONSTANTS", "SPEC's 100 BERA payout is one wei less"),
    "IncentiveCollector.sol:35:delete-assignment:0": ("WIRING", "the SmartOperator can no longer queue a payout change"),
    "IncentiveCollector.sol:43:delete-guard:0": ("EXPLORATION", "overpayment is kept: LIVE-003 (added in this change) catches it; underpayment reverts for want of BERA"),
    "IncentiveCollector.sol:45:delete-guard:0": ("EQUIVALENT", "the StakingRewardsVault's receive() never reverts, so `ok` is always true."),
    "IncentiveCollector.sol:46:off-by-one:1": ("RECIPIENT", "the last token asked for is not sent to the claimer"),
    "IncentiveCollector.sol:49:replace-sender:0": ("RECIPIENT", None),
    "IncentiveCollector.sol:49:replace-sender:2": ("RECIPIENT", None),
    "IncentiveCollector.sol:51:replace-sender:2": ("EVENTS", None),
    "IncentiveCollector.sol:54:delete-assignment:0": ("WIRING", "a queued payout applies again at every claim (same value: no visible change until a second queue)"),
    "IncentiveCollector.sol:55:delete-assignment:0": ("WIRING", "a queued payout change never applies"),
    "IncentiveCollector.sol:62:replace-sender:0": ("WIRING", "the SmartOperator can no longer queue a payout change"),
    "IncentiveCollector.sol:63:off-by-one:0": ("CONSTANTS", "a payout of 1 wei is refused"),
    "SmartOperator.sol:62:delete-assignment:0": ("WIRING", "redeemBGT's addPrecharged goes to address 0 and reverts: BGT can no longer be redeemed"),
    "SmartOperator.sol:80:flip-comparison:0": ("CONSTANTS", "a commission of exactly 20% is refused"),
    "SmartOperator.sol:80:off-by-one:1": ("CONSTANTS", "a commission of exactly 20% is refused"),
    "SmartOperator.sol:86:off-by-one:1": ("CONSTANTS", "a protocol fee of exactly 20% is refused"),
    "SmartOperator.sol:100:off-by-one:1": ("WIRING", "the last reward-allocation weight is dropped"),
    "SmartOperator.sol:103:delete-call:0": ("WIRING", "reward allocations are never queued in BeraChef"),
    "SmartOperator.sol:115:delete-modifier:0": ("EXPLORATION", "ACCESS-006 fires on any outsider's successful queueDropBoost, but no call to it succeeds yet (entry coverage lists it)"),
    "SmartOperator.sol:121:delete-call:0": ("FEES", "BGT redeemed before its fees were accrued escapes them"),
    "SmartOperator.sol:123:delete-assignment:0": ("FEES", "redeemed BGT counts as earned again later"),
    "SmartOperator.sol:139:delete-call:0": ("WIRING", "activateBoost does nothing"),
    "SmartOperator.sol:150:flip-comparison:0": ("EXPLORATION", "a claimed BGT staker reward then stays in the SmartOperator: LIVE-003 (added in this change) catches it"),
    "SmartOperator.sol:161:off-by-one:0": ("FEES", None),
    "SmartOperator.sol:169:swap-arguments:2": ("FEES", None),
    "SmartOperator.sol:173:off-by-one:0": ("FEES", "one commission share is never minted"),
    "SmartOperator.sol:175:swap-arguments:2": ("EVENTS", None),
    "SmartOperator.sol:180:replace-sender:1": ("WIRING", "receive() compares tx.origin (an EOA) with BGT: BGT's payments always revert, so staker rewards can no longer be claimed"),
    "SmartOperator.sol:192:delete-assignment:0": ("FEES", "the commission reads as 0 in feeRates"),
    "SmartOperator.sol:194:flip-comparison:0": ("FEES", "the protocol fee is charged only while no recipient is set"),
    "SmartOperator.sol:201:flip-comparison:0": ("FEES", "rebaseableBgtAmount at balance == last"),
    "SmartOperator.sol:203:swap-arguments:2": ("EQUIVALENT", "netOfFees adds the two rates (`commissionBps + protocolBps`): their order does not matter."),
    "StBERA.sol:14:delete-modifier:0": ("EQUIVALENT", "`__StBERA_init` is internal and only called from `initialize`, which is already `initializer`."),
    "StBERA.sol:28:swap-rounding:0": ("EXPLORATION", "VALUE-001 now checks convertToAssets (added in this change)"),
    "StBERA.sol:51:widen-visibility:0": ("EQUIVALENT", "`_toShares` is a view: as a public function it changes no state."),
    "StakingPool.sol:23:off-by-one:0": ("EVENTS", "exit reason code"),
    "StakingPool.sol:24:off-by-one:1": ("EVENTS", "exit reason code"),
    "StakingPool.sol:78:delete-assignment:0": ("WIRING", "no oracle report reaches the pool"),
    "StakingPool.sol:80:delete-assignment:0": ("WIRING", "deposits reach the consensus layer with empty credentials"),
    "StakingPool.sol:91:replace-sender:0": ("WIRING", "every governance call (pause, unpause, setMinEffectiveBalance) reverts"),
    "StakingPool.sol:99:swap-arguments:0": ("RECIPIENT", "submit(receiver) mints to the sender"),
    "StakingPool.sol:99:replace-sender:1": ("EVENTS", "Deposit's sender becomes the receiver"),
    "StakingPool.sol:104:replace-sender:0": ("EVENTS", "Deposit's sender becomes the pool"),
    "StakingPool.sol:110:delete-guard:0": ("EQUIVALENT", "a zero deposit then mints 0 shares and reverts `ZeroShares`."),
    "StakingPool.sol:111:delete-call:0": ("FEES", "rewards collected later, possibly at another rate"),
    "StakingPool.sol:113:off-by-one:0": ("CONSTANTS", "capacity one wei above the maximum effective balance"),
    "StakingPool.sol:114:delete-guard:0": ("EQUIVALENT", "with no room the pool accepts 0, mints 0 shares and reverts `ZeroShares`."),
    "StakingPool.sol:114:off-by-one:0": ("CONSTANTS", "a deposit that fits in the last wei is refused"),
    "StakingPool.sol:117:delete-guard:0": ("EXPLORATION", "VALUE-002 requires shares for a deposit; a deposit worth less than a share is never generated at a price above 1"),
    "StakingPool.sol:121:off-by-one:0": ("WIRING", "every deposit sends a refund of 0 (and a DepositRefunded(0) event): a depositor contract that refuses BERA can no longer deposit"),
    "StakingPool.sol:126:delete-call:0": ("WIRING", "the buffer is never forwarded to the consensus layer"),
    "StakingPool.sol:130:off-by-one:0": ("CONSTANTS", "the buffer is forwarded one wei later"),
    "StakingPool.sol:134:swap-arguments:0": ("WIRING", "the deposit names the credentials as pubkey"),
    "StakingPool.sol:135:off-by-one:0": ("CONSTANTS", "the minimum effective balance counts as reached one wei later"),
    "StakingPool.sol:143:delete-guard:0": ("EXPLORATION", "receiveRewards is only callable by the rewards vault, which only calls it from an active pool"),
    "StakingPool.sol:152:delete-call:0": ("WIRING", "late rewards of an exited pool stay in the pool"),
    "StakingPool.sol:173:off-by-one:0": ("FEES", "a reward of 1 wei bears no fee"),
    "StakingPool.sol:178:swap-arguments:0": ("FEES", "commission and protocol fee swapped"),
    "StakingPool.sol:180:delete-call:0": ("FEES", "the protocol fee is never minted"),
    "StakingPool.sol:202:off-by-one:0": ("CONSTANTS", "a report of 1 wei is a full exit"),
    "StakingPool.sol:204:off-by-one:1": ("EVENTS", None),
    "StakingPool.sol:210:off-by-one:0": ("FEES", "a report equal to the expected balance counts as a penalty of 0"),
    "StakingPool.sol:211:delete-assignment:0": ("FEES", "consensus-layer rewards are never recognised"),
    "StakingPool.sol:212:remove-overflow-check:0": ("OVERFLOW", "totalDeposits + reward is bounded by the reported balance, itself capped by the oracle."),
    "StakingPool.sol:213:delete-call:0": ("FEES", "consensus-layer rewards bear no fee"),
    "StakingPool.sol:216:delete-assignment:0": ("EXPLORATION", "penalties never reduce totalDeposits: RATE-001 excuses a penalty; needs a penalty without a later exit"),
    "StakingPool.sol:216:off-by-one:0": ("EQUIVALENT", "Differs only at `totalDeposits == penalty + 1`, and both are whole gwei in every state (the argument of `AccountingOracle.sol:61:off-by-one:0`)."),
    "StakingPool.sol:216:off-by-one:2": ("CONSTANTS", "a penalty larger than the deposits leaves 1 wei"),
    "StakingPool.sol:219:off-by-one:1": ("CONSTANTS", "threshold one wei lower"),
    "StakingPool.sol:222:delete-call:0": ("EXPLORATION", "EXIT-001 catches a breach without exit once a penalty takes a live pool below its minimum"),
    "StakingPool.sol:235:delete-guard:0": ("EQUIVALENT", "unreachable: the vault refuses amountGwei 0 before calling."),
    "StakingPool.sol:235:off-by-one:0": ("EQUIVALENT", "assets is a whole number of gwei (>= 1e9), never 1."),
    "StakingPool.sol:247:delete-guard:0": ("EXPLORATION", "the world activates every pool at deployment, so no request ever reaches an inactive pool"),
    "StakingPool.sol:248:flip-comparison:0": ("EXPLORATION", "every redemption of shares reverts ZeroShares (allowed by LIVE-001)"),
    "StakingPool.sol:250:delete-assignment:0": ("EXPLORATION", "redemptions book 0 assets and revert ZeroAmount (allowed by LIVE-001)"),
    "StakingPool.sol:253:delete-guard:0": ("EXPLORATION", "a redemption worth 0 assets burns shares for nothing: needs a dust redemption at a price below 1"),
    "StakingPool.sol:263:remove-overflow-check:0": ("OVERFLOW", "assets = previewRedeem of shares <= supply, at most frozenTotalAssets."),
    "StakingPool.sol:264:off-by-one:0": ("EVENTS", None),
    "StakingPool.sol:268:off-by-one:0": ("CONSTANTS", "one more share stays locked"),
    "StakingPool.sol:271:off-by-one:0": ("CONSTANTS", "a withdrawal of exactly the buffer before the minimum balance is allowed"),
    "StakingPool.sol:272:reorder-call:0": ("REENTRANCY", None),
    "StakingPool.sol:277:swap-arguments:0": ("EQUIVALENT", "Math.min is symmetric."),
    "StakingPool.sol:279:off-by-one:0": ("CONSTANTS", None),
    "StakingPool.sol:279:off-by-one:2": ("CONSTANTS", None),
    "StakingPool.sol:279:off-by-one:4": ("CONSTANTS", None),
    "StakingPool.sol:280:off-by-one:0": ("EVENTS", None),
    "StakingPool.sol:281:remove-overflow-check:0": ("OVERFLOW", "assets <= assetsBefore: the shares burnt are worth at least assets (VALUE-003)."),
    "StakingPool.sol:284:remove-overflow-check:0": ("OVERFLOW", "fromBuffer = min(assets, buffer - dust) <= bufferedAssets."),
    "StakingPool.sol:285:delete-assignment:0": ("WITHDRAWALS", "totalDeposits keeps what the consensus layer was asked for"),
    "StakingPool.sol:286:compound-to-assign:0": ("WITHDRAWALS", "clWithdrawalsRequested keeps only the last request"),
    "StakingPool.sol:288:swap-arguments:5": ("EVENTS", None),
    "StakingPool.sol:296:off-by-one:0": ("CONSTANTS", "a full exit settles one wei less"),
    "StakingPool.sol:301:widen-visibility:0": ("EXPLORATION", "ACCESS-006 and EXIT-002 fire on an outsider's _fullExit; found at run 223 by the current generation (`fuzz --variant` with this variant file)"),
    "StakingPool.sol:303:delete-assignment:0": ("EXPLORATION", "EXIT-003 compares frozen totalAssets across steps; needs a withdrawal after a full exit"),
    "StakingPool.sol:315:delete-guard:0": ("EXPLORATION", "a second activateStakingPool re-mints the dead shares (SHARE-002 sees a mint that is no deposit or fee); the campaign has not yet called it on an active pool"),
    "StakingPool.sol:319:delete-assignment:0": ("EXPLORATION", "SHARE-003 uses deadShares() as its floor (AUDIT.md: use the harness's FIRST_DEPOSIT_AMOUNT)"),
    "StakingPool.sol:326:delete-call:0": ("WIRING", "pause does nothing"),
    "StakingPool.sol:331:delete-guard:0": ("WIRING", "an exited pool can be unpaused (deposits still refused by isFullyExited)"),
    "StakingPool.sol:337:delete-guard:0": ("CONSTANTS", None),
    "StakingPool.sol:337:off-by-one:0": ("CONSTANTS", None),
    "StakingPool.sol:337:off-by-one:2": ("CONSTANTS", None),
    "StakingPool.sol:341:flip-comparison:0": ("CONSTANTS", None),
    "StakingPool.sol:341:off-by-one:1": ("CONSTANTS", None),
    "StakingPool.sol:357:off-by-one:0": ("FEES", "1 wei of uncollected reward counts as 0"),
    "StakingPool.sol:360:swap-arguments:2": ("EQUIVALENT", "netOfFees adds the two rates: their order does not matter."),
    "StakingPool.sol:379:widen-visibility:0": ("EXPLORATION", "ACCESS-006 fires on an outsider's _send; found at run 223 after 6.8 s by the current generation"),
    "StakingPoolContractsFactory.sol:31:off-by-one:0": ("EQUIVALENT", "salts change the same way in deploy and predict; two kinds sharing a salt still get distinct CREATE2 addresses (each init code carries its own beacon)."),
    "StakingPoolContractsFactory.sol:32:off-by-one:1": ("EQUIVALENT", "as :31."),
    "StakingPoolContractsFactory.sol:33:off-by-one:1": ("EQUIVALENT", "as :31."),
    "StakingPoolContractsFactory.sol:102:delete-guard:0": ("EQUIVALENT", "setSharedContracts runs once, at deployment, with non-zero addresses; afterwards `AlreadySet` refuses every call."),
    "StakingPoolContractsFactory.sol:109:delete-assignment:0": ("WIRING", "the protocol fee recipient never changes"),
    "StakingPoolContractsFactory.sol:126:off-by-one:0": ("EXPLORATION", "deployments before setSharedContracts are no longer refused; the world configures the factory at deployment"),
    "StakingPoolContractsFactory.sol:128:off-by-one:0": ("CONSTANTS", "a zero validator admin is accepted"),
    "StakingPoolContractsFactory.sol:129:delete-guard:0": ("EXPLORATION", "a second deployment for a pubkey: the CREATE2 proxies already exist, so it reverts anyway (equivalent unless the world deploys a pool twice)"),
    "StakingPoolContractsFactory.sol:141:delete-call:0": ("WIRING", "incentive collectors are never initialized: claims fail"),
    "StakingPoolContractsFactory.sol:144:swap-arguments:0": ("EVENTS", None),
    "StakingPoolContractsFactory.sol:144:swap-arguments:3": ("EVENTS", None),
    "StakingPoolContractsFactory.sol:144:swap-arguments:5": ("EVENTS", None),
    "StakingPoolContractsFactory.sol:151:off-by-one:0": ("EQUIVALENT", "an unknown pubkey has no report, so ActivationNotReady refuses it anyway."),
    "StakingPoolContractsFactory.sol:154:delete-call:0": ("WIRING", "activation does nothing (the world activates every pool at deployment, so campaigns never see an inactive pool)"),
    "StakingPoolContractsFactory.sol:182:delete-call:0": ("WIRING", "the SmartOperator beacon is never upgraded (the Upgrade op installs a copy of the same code, so nothing differs)"),
    "StakingPoolContractsFactory.sol:201:widen-visibility:0": ("EXPLORATION", "an outsider may deploy a beacon proxy: ACCESS-006 fires when the ABI call lands"),
    "StakingRewardsVault.sol:29:delete-modifier:0": ("EXPLORATION", "re-initializing needs a caller that answers predictStakingPoolContractsAddresses (an attacker contract the world does not have)"),
    "StakingRewardsVault.sol:32:delete-assignment:0": ("WIRING", "recoverERC20 reverts for governance"),
    "StakingRewardsVault.sol:34:delete-assignment:0": ("WIRING", "addPrecharged refuses the SmartOperator: BGT can no longer be redeemed"),
    "StakingRewardsVault.sol:47:delete-assignment:0": ("FEES", "precharged BERA stays precharged after it is collected"),
    "StakingRewardsVault.sol:47:flip-comparison:0": ("EQUIVALENT", "when prechargedAmount == amount both branches give 0."),
    "StakingRewardsVault.sol:47:off-by-one:2": ("FEES", "1 wei stays precharged"),
    "StakingRewardsVault.sol:54:replace-sender:0": ("WIRING", "addPrecharged always reverts: BGT can no longer be redeemed"),
    "StakingRewardsVault.sol:60:replace-sender:1": ("WIRING", "recoverERC20 reverts for governance"),
    "StakingRewardsVault.sol:60:replace-sender:3": ("WIRING", "recoverERC20 reverts for governance"),
    "WithdrawalVault.sol:45:delete-call:0": ("WIRING", "the request NFT has no name or symbol"),
    "WithdrawalVault.sol:48:delete-call:0": ("EQUIVALENT", "OZ 5's ReentrancyGuard treats the unset status as not entered: nonReentrant behaves the same."),
    "WithdrawalVault.sol:62:delete-modifier:0": ("EXPLORATION", "PAUSE-001 fires on a request to a paused vault; needs a pause then a withdrawal request"),
    "WithdrawalVault.sol:66:delete-guard:0": ("EQUIVALENT", "amountGwei 0 is refused by the pool (`ZeroAmount`)."),
    "WithdrawalVault.sol:69:replace-sender:0": ("WITHDRAWALS", "every withdrawal burns the vault's shares and reverts ERC20InsufficientBalance naming the vault: LIVE-001 now requires that error to name the holder (added in this change)"),
    "WithdrawalVault.sol:70:swap-arguments:1": ("WITHDRAWALS", None),
    "WithdrawalVault.sol:70:swap-arguments:3": ("WITHDRAWALS", None),
    "WithdrawalVault.sol:81:delete-guard:0": ("EQUIVALENT", "shares 0 is refused by the pool (`ZeroShares`)."),
    "WithdrawalVault.sol:83:replace-sender:0": ("WITHDRAWALS", "every redemption reverts ERC20InsufficientBalance naming the vault: LIVE-001 now refuses it (variant live-001-redeem-burns-from-vault)"),
    "WithdrawalVault.sol:84:swap-arguments:1": ("WITHDRAWALS", None),
    "WithdrawalVault.sol:84:swap-arguments:3": ("WITHDRAWALS", None),
    "WithdrawalVault.sol:97:off-by-one:0": ("WITHDRAWALS", "a consensus-layer part of exactly 1 gwei is not requested"),
    "WithdrawalVault.sol:100:off-by-one:0": ("WITHDRAWALS", "a full exit asks for 1 gwei instead of the whole balance"),
    "WithdrawalVault.sol:103:remove-overflow-check:0": ("OVERFLOW", "_owed grows by assets that the pool's books back; no sum of BERA reaches 2^256."),
    "WithdrawalVault.sol:107:replace-sender:0": ("RECIPIENT", "the request's user is the vault"),
    "WithdrawalVault.sol:112:replace-sender:0": ("RECIPIENT", "the request NFT goes to the vault"),
    "WithdrawalVault.sol:113:swap-arguments:0": ("EVENTS", None),
    "WithdrawalVault.sol:113:replace-sender:0": ("EVENTS", None),
    "WithdrawalVault.sol:113:swap-arguments:3": ("EVENTS", None),
    "WithdrawalVault.sol:114:flip-comparison:0": ("WITHDRAWALS", "an exact fee now triggers a refund of 0: a holder contract that refuses BERA can no longer request (LIVE-001 allows a contract holder's TransferFailed)"),
    "WithdrawalVault.sol:114:replace-sender:0": ("WITHDRAWALS", "the overpaid fee is refunded to the vault itself"),
    "WithdrawalVault.sol:123:flip-comparison:0": ("WITHDRAWALS", "a fee equal to maxFee or msg.value is refused (LIVE-001 allows FeeTooHigh whatever the fee)"),
    "WithdrawalVault.sol:132:delete-guard:0": ("EXPLORATION", "sendPendingExitRequest without a pending exit pays a fee for nothing"),
    "WithdrawalVault.sol:134:off-by-one:0": ("WITHDRAWALS", "the pending exit asks for 1 gwei instead of the whole balance"),
    "WithdrawalVault.sol:135:off-by-one:1": ("WITHDRAWALS", "the overpaid fee is refunded one wei more"),
    "WithdrawalVault.sol:141:delete-modifier:0": ("REENTRANCY", None),
    "WithdrawalVault.sol:146:delete-modifier:0": ("REENTRANCY", None),
    "WithdrawalVault.sol:147:off-by-one:1": ("WITHDRAWALS", "the last id of a batch is skipped"),
    "WithdrawalVault.sol:154:off-by-one:0": ("EXPLORATION", "an unknown id then finalizes and pays 0 to address 0; WD-001 fires on it, but the campaign asks only for existing ids"),
    "WithdrawalVault.sol:155:off-by-one:0": ("WITHDRAWALS", "finalization one block later than SPEC"),
    "WithdrawalVault.sol:159:delete-call:0": ("WITHDRAWALS", "consensus-layer payouts never reach a pool's funds"),
    "WithdrawalVault.sol:161:off-by-one:0": ("WITHDRAWALS", "a request needing all of a pool's funds is refused"),
    "WithdrawalVault.sol:162:remove-overflow-check:0": ("OVERFLOW", "guarded by `_funds[key] < assets` just before."),
    "WithdrawalVault.sol:174:flip-comparison:0": ("EQUIVALENT", "when withdrawn == attributed the branch adds 0 and rewrites the same value."),
    "WithdrawalVault.sol:175:delete-assignment:0": ("WITHDRAWALS", "consensus-layer payouts never reach a pool's funds"),
    "WithdrawalVault.sol:175:compound-to-assign:0": ("WITHDRAWALS", "a pool's funds are overwritten by the last payout"),
    "WithdrawalVault.sol:186:compound-to-assign:0": ("WITHDRAWALS", "a pool's funds are overwritten by the last amount received"),
    "WithdrawalVault.sol:207:delete-call:0": ("WIRING", "unpause does nothing"),
    "WithdrawalVault.sol:257:delete-assignment:0": ("WIRING", "every pubkey looks unknown: all requests revert UnknownPool (allowed by LIVE-001)"),
    "WithdrawalVault.sol:258:off-by-one:0": ("EQUIVALENT", "compares with address(1): an unknown pubkey then calls address 0, which reverts."),
}


def main() -> None:
    report = json.load(open(sys.argv[1]))
    survivors = [m for m in report["mutants"] if m["status"] in ("survived", "timed-out")]
    by_class: dict[str, list] = {}
    untriaged = []
    for m in survivors:
        key = m["id"].replace("src/core/", "")
        verdict = VERDICTS.get(key)
        if verdict is None:
            # FeeMath's mutants share one verdict: fee arithmetic.
            if key.startswith("FeeMath.sol"):
                verdict = ("FEES", None)
            elif key.split(":")[2] == "swap-arguments" and "emit" in m.get("original", ""):
                verdict = ("EVENTS", None)
            else:
                untriaged.append(m)
                continue
        by_class.setdefault(verdict[0], []).append((m, verdict[1]))
    t = report["totals"]
    print("# Surviving mutants, triaged\n")
    print(
        f"From `poolguard mutate` over `contracts/src/core` ({report['budget']} per mutant, seed {report['seed']}): "
        f"{t['mutants']} mutants, {t['killed']} killed, {t['survived']} survived, {t['not_compiling']} not compiling, "
        f"{t['equivalent']} equivalent by code, score {report['score']:.1f}% (BENCHMARKS.md section 10 has the command). "
        "Generated by `scripts/triage-mutants.py MUTANTS_JSON`; each survivor is argued equivalent (one line) or "
        "filed under the oracle that would kill it.\n"
    )
    order = ["EQUIVALENT", "OVERFLOW"] + [c for c in CLASSES if c not in ("EQUIVALENT", "OVERFLOW")]
    print("| verdict | survivors |\n| --- | ---: |")
    for c in order:
        if c in by_class:
            print(f"| {c} | {len(by_class[c])} |")
    if untriaged:
        print(f"| not triaged | {len(untriaged)} |")
    print()
    for c in order:
        if c not in by_class:
            continue
        print(f"## {c} ({len(by_class[c])})\n\n{CLASSES[c]}\n")
        for m, note in by_class[c]:
            change = " ".join(m["original"].split())[:80]
            repl = " ".join(m["replacement"].split())[:80]
            line = f"- `{m['id']}`: `{change}` → `{repl}`"
            if note:
                line += f". {note}"
            print(line)
        print()
    if untriaged:
        print("## Not triaged\n")
        for m in untriaged:
            print(f"- `{m['id']}`: `{' '.join(m['original'].split())[:80]}` → `{' '.join(m['replacement'].split())[:80]}`")


if __name__ == "__main__":
    main()
