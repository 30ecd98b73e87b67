//! The checklist verdict: passed only when a covering rule applied and found nothing; failed
//! by active or baselined findings but not by suppressed ones; not verified (saying why) when no
//! covering rule applied; manual for items no automatic check settles.

use std::borrow::Cow;

use vibeguard_core::checklist::evaluate;
use vibeguard_core::{
    ChecklistId, ChecklistStatus, ChecklistVerdict, Confidence, EngineId, EngineRun, Finding,
    FindingState, Location, RuleApplicability, RuleDocs, RuleMeta, Severity, Text, Untested,
};

fn rule(code: &'static str, engine: EngineId, checklist: &'static [ChecklistId]) -> RuleMeta {
    RuleMeta {
        code: Cow::Borrowed(code),
        name: Cow::Borrowed("test-rule"),
        engine,
        summary: Cow::Borrowed("s"),
        severity: Severity::High,
        confidence: Confidence::Firm,
        cwe: Cow::Borrowed(&[]),
        owasp_api: None,
        checklist: Cow::Borrowed(checklist),
        docs: RuleDocs {
            what: Cow::Borrowed("w"),
            why: Cow::Borrowed("y"),
            example_bad: Cow::Borrowed("b"),
            example_fixed: Cow::Borrowed("f"),
            fix: Cow::Borrowed("x"),
            references: Cow::Borrowed(&[]),
        },
    }
}

fn rules() -> Vec<RuleMeta> {
    vec![
        rule("VG301", EngineId::Hygiene, &[ChecklistId::Deps01]),
        rule("VG304", EngineId::Hygiene, &[ChecklistId::Deps03]),
        rule(
            "VG305",
            EngineId::Hygiene,
            &[ChecklistId::Data04, ChecklistId::Data02],
        ),
        rule("VG306", EngineId::Hygiene, &[ChecklistId::Data04]),
        rule("VG401", EngineId::Api, &[ChecklistId::Auth01]),
    ]
}

fn hygiene_run(
    applied: &[&'static str],
    not_applicable: &[(&'static str, &'static str)],
) -> EngineRun {
    let mut run = EngineRun::new(EngineId::Hygiene);
    run.rules_applied = applied.iter().map(|c| Text::Borrowed(*c)).collect();
    run.not_applicable = not_applicable
        .iter()
        .map(|(code, reason)| RuleApplicability {
            item: None,
            code: Text::Borrowed(*code),
            reason: Text::Borrowed(*reason),
            subject_absent: false,
        })
        .collect();
    run
}

fn finding(code: &str, state: FindingState) -> Finding {
    let meta = rules().into_iter().find(|r| r.code == code).expect("rule");
    let mut finding = Finding::new(&meta, Location::Project, "m", code);
    finding.state = state;
    finding
}

fn verdict(verdicts: &[ChecklistVerdict], id: ChecklistId) -> &ChecklistVerdict {
    verdicts
        .iter()
        .find(|v| v.id == id)
        .expect("every item has a verdict")
}

#[test]
fn passed_needs_a_covering_rule_that_applied() {
    let engines = [hygiene_run(
        &["VG301"],
        &[("VG304", "no manifest with dependencies")],
    )];
    let verdicts = evaluate(&rules(), &engines, &[]);
    assert_eq!(verdicts.len(), 34);
    let deps01 = verdict(&verdicts, ChecklistId::Deps01);
    assert_eq!(deps01.status, ChecklistStatus::Passed);
    assert_eq!(deps01.checked_by, vec![Text::Borrowed("VG301")]);
    // VG304 ran but had nothing to check: not a pass, and the note says why.
    let deps03 = verdict(&verdicts, ChecklistId::Deps03);
    assert_eq!(deps03.status, ChecklistStatus::NotVerified);
    assert!(
        deps03.note.contains("no manifest with dependencies"),
        "{}",
        deps03.note
    );
}

#[test]
fn not_verified_says_which_input_enables_a_check() {
    let verdicts = evaluate(&rules(), &[hygiene_run(&["VG301"], &[])], &[]);
    let auth01 = verdict(&verdicts, ChecklistId::Auth01);
    assert_eq!(auth01.status, ChecklistStatus::NotVerified);
    assert!(auth01.note.contains("--target"), "{}", auth01.note);
    let auth05 = verdict(&verdicts, ChecklistId::Auth05);
    assert!(auth05.note.contains("verify by hand"), "{}", auth05.note);
}

#[test]
fn findings_fail_items_unless_suppressed() {
    let engines = [hygiene_run(&["VG301", "VG304", "VG305", "VG306"], &[])];
    let findings = [
        finding("VG305", FindingState::Baselined),
        finding(
            "VG306",
            FindingState::Suppressed {
                reason: "accepted".into(),
            },
        ),
        finding(
            "VG304",
            FindingState::Suppressed {
                reason: "accepted".into(),
            },
        ),
    ];
    let verdicts = evaluate(&rules(), &engines, &findings);
    let data04 = verdict(&verdicts, ChecklistId::Data04);
    assert_eq!(data04.status, ChecklistStatus::Failed);
    assert_eq!(
        data04.findings.len(),
        1,
        "the suppressed VG306 finding does not count"
    );
    assert!(data04.note.contains("baselined"));
    assert_eq!(
        verdict(&verdicts, ChecklistId::Deps03).status,
        ChecklistStatus::Passed
    );
}

#[test]
fn an_item_whose_subject_is_absent_everywhere_is_not_applicable() {
    let absent = |code: &'static str, reason: &'static str| RuleApplicability {
        item: None,
        code: Text::Borrowed(code),
        reason: Text::Borrowed(reason),
        subject_absent: true,
    };
    // VG304 alone covers DEPS-03 in these rules.
    let mut run = hygiene_run(&["VG301"], &[]);
    run.not_applicable
        .push(absent("VG304", "no dependencies at all"));
    let verdicts = evaluate(&rules(), &[run.clone()], &[]);
    let deps03 = verdict(&verdicts, ChecklistId::Deps03);
    assert_eq!(deps03.status, ChecklistStatus::NotApplicable);
    assert!(
        deps03.note.contains("no dependencies at all"),
        "{}",
        deps03.note
    );

    // One covering rule that could not look is enough to keep it "not verified".
    run.not_applicable.push(RuleApplicability {
        subject_absent: false,
        ..absent("VG304", "the manifest could not be read")
    });
    let verdicts = evaluate(&rules(), &[run], &[]);
    assert_eq!(
        verdict(&verdicts, ChecklistId::Deps03).status,
        ChecklistStatus::NotVerified
    );

    // A rule that applied makes it a pass, whatever another says.
    let mut run = hygiene_run(&["VG301", "VG304"], &[]);
    run.not_applicable
        .push(absent("VG304", "no dependencies at all"));
    let verdicts = evaluate(&rules(), &[run], &[]);
    assert_eq!(
        verdict(&verdicts, ChecklistId::Deps03).status,
        ChecklistStatus::Passed
    );
}

#[test]
fn a_rule_that_missed_part_of_its_subject_passes_nothing() {
    let mut api = EngineRun::new(EngineId::Api);
    api.rules_applied = vec![Text::Borrowed("VG401")];
    let passed = evaluate(&rules(), std::slice::from_ref(&api), &[]);
    assert_eq!(
        verdict(&passed, ChecklistId::Auth01).status,
        ChecklistStatus::Passed
    );

    // An operation nothing had an answer from: every rule of the engine missed it.
    api.untested.push(Untested {
        place: "DELETE /users/{username}".into(),
        reason: "changes an account vibeguard did not create".into(),
        rules: Vec::new(),
    });
    let verdicts = evaluate(&rules(), std::slice::from_ref(&api), &[]);
    let auth01 = verdict(&verdicts, ChecklistId::Auth01);
    assert_eq!(auth01.status, ChecklistStatus::NotVerified);
    assert!(
        auth01.note.contains("DELETE /users/{username}") && auth01.note.contains("did not create"),
        "{}",
        auth01.note
    );
    // Untested places of one engine say nothing about the rules of another.
    let hygiene = hygiene_run(&["VG301", "VG304"], &[]);
    let verdicts = evaluate(&rules(), &[hygiene.clone(), api.clone()], &[]);
    assert_eq!(
        verdict(&verdicts, ChecklistId::Deps01).status,
        ChecklistStatus::Passed
    );

    // Probes of one rule left unsent: only that rule's items lose their pass.
    api.untested = vec![Untested {
        place: "GET /tasks".into(),
        reason: "the request budget was spent first".into(),
        rules: vec![Text::Borrowed("VG999")],
    }];
    let verdicts = evaluate(&rules(), std::slice::from_ref(&api), &[]);
    assert_eq!(
        verdict(&verdicts, ChecklistId::Auth01).status,
        ChecklistStatus::Passed
    );
    api.untested[0].rules = vec![Text::Borrowed("VG401")];
    let verdicts = evaluate(&rules(), &[api], &[]);
    assert_eq!(
        verdict(&verdicts, ChecklistId::Auth01).status,
        ChecklistStatus::NotVerified
    );
}

#[test]
fn findings_in_test_code_fail_nothing() {
    let engines = [hygiene_run(&["VG301", "VG304", "VG305", "VG306"], &[])];
    let mut in_tests = finding("VG305", FindingState::Active);
    in_tests.test_code = true;
    let verdicts = evaluate(&rules(), &engines, &[in_tests.clone()]);
    assert_eq!(
        verdict(&verdicts, ChecklistId::Data04).status,
        ChecklistStatus::Passed,
        "a finding in test code says nothing about production"
    );
    in_tests.test_code = false;
    let verdicts = evaluate(&rules(), &engines, &[in_tests]);
    assert_eq!(
        verdict(&verdicts, ChecklistId::Data04).status,
        ChecklistStatus::Failed
    );
}

#[test]
fn items_that_need_a_human_stay_manual_unless_a_finding_fails_them() {
    let engines = [hygiene_run(&["VG305"], &[])];
    let verdicts = evaluate(&rules(), &engines, &[]);
    let data02 = verdict(&verdicts, ChecklistId::Data02);
    assert_eq!(data02.status, ChecklistStatus::Manual);
    assert!(data02.note.contains("cannot settle it"));
    let verdicts = evaluate(
        &rules(),
        &engines,
        &[finding("VG305", FindingState::Active)],
    );
    assert_eq!(
        verdict(&verdicts, ChecklistId::Data02).status,
        ChecklistStatus::Failed
    );
}
