//! JUnit XML (through `quick-junit`): one test case per invariant of the catalog, failed when this run violated
//! it, one per replayed regression file, and one per upgradeable implementation whose storage layout was checked.

use poolguard_invariants::CATALOG;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::{Origin, RunSummary};

/// Renders `summary` as JUnit XML.
pub fn render(summary: &RunSummary) -> Result<String, quick_junit::SerializeError> {
    let mut report = Report::new("poolguard");
    report.set_time(summary.elapsed);

    let mut invariants = TestSuite::new("invariants");
    invariants.set_time(summary.campaign.progress.elapsed);
    for inv in CATALOG {
        let violations: Vec<_> = summary.violations_of(inv.id).collect();
        let status = match violations.first() {
            None => TestCaseStatus::success(),
            Some(v) => {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status.set_message(format!("{}: {}", inv.id, v.finding.message));
                status.set_type("InvariantViolation");
                let mut text = String::new();
                for v in &violations {
                    let origin = match &v.origin {
                        Origin::Campaign => "found by the campaign".to_string(),
                        Origin::Regression(path) => format!("reproduced by {}", path.display()),
                    };
                    text.push_str(&format!(
                        "{origin}; violated at step {} of {}:\n",
                        v.finding.step,
                        v.finding.sequence.len()
                    ));
                    for line in &v.finding.trace {
                        text.push_str(line);
                        text.push('\n');
                    }
                }
                status.set_description(text);
                status
            }
        };
        let mut case = TestCase::new(inv.id, status);
        case.set_classname(format!("poolguard.invariants.{}", inv.category));
        case.set_assertions(usize::try_from(summary.campaign.progress.steps).unwrap_or(usize::MAX));
        case.set_system_out(inv.statement);
        invariants.add_test_case(case);
    }
    report.add_test_suite(invariants);

    if let Some(layout) = &summary.layout {
        let mut suite = TestSuite::new("storage-layout");
        for (contract, _) in &layout.checked {
            let problems: Vec<_> = layout
                .incompatibilities
                .iter()
                .filter(|i| &i.contract == contract)
                .collect();
            let status = match problems.first() {
                None => TestCaseStatus::success(),
                Some(first) => {
                    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    status.set_message(format!("{}: {}", first.variable, first.message));
                    status.set_type("StorageLayout");
                    status.set_description(
                        problems
                            .iter()
                            .map(|p| format!("{}: {}\n", p.variable, p.message))
                            .collect::<String>(),
                    );
                    status
                }
            };
            let mut case = TestCase::new(contract.clone(), status);
            case.set_classname("poolguard.storage-layout");
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }

    let mut regressions = TestSuite::new("regressions");
    for check in &summary.regressions {
        let name = check
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| check.path.display().to_string());
        let status = if let Some(error) = &check.error {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            status.set_message(error.clone());
            status
        } else if check.violated.is_empty() {
            TestCaseStatus::success()
        } else {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status.set_message(format!("still violates {}", check.violated.join(", ")));
            status.set_type("Regression");
            status
        };
        let mut case = TestCase::new(name, status);
        case.set_classname("poolguard.regressions");
        case.set_system_out(format!(
            "{} (saved for {})",
            check.path.display(),
            if check.invariant.is_empty() {
                "no invariant"
            } else {
                &check.invariant
            }
        ));
        regressions.add_test_case(case);
    }
    report.add_test_suite(regressions);
    report.to_string()
}
