//! Every closed vocabulary with its codes and Chinese labels, for clients that show labels
//! (`GET /api/v1/vocabularies`): a front end takes its labels from here instead of copying
//! lists that drift from the server's.

/// A closed vocabulary declared with `vocabulary!` (the macro implements this).
pub trait Vocabulary {
    /// Its name in the published contract (the schema's name).
    const NAME: &'static str;
    /// Its codes with their Chinese labels, in declaration order.
    fn entries() -> Vec<(&'static str, &'static str)>;
}

/// One vocabulary: its contract name and `(code, label)` pairs.
pub type Listing = (&'static str, Vec<(&'static str, &'static str)>);

fn of<V: Vocabulary>() -> Listing {
    (V::NAME, V::entries())
}

/// Every vocabulary, by contract name. A test fails when a `vocabulary!` is missing here.
pub fn all() -> Vec<Listing> {
    use crate::{
        calendar, campaign, cases, exit, funds, inspection, intake, monitoring, property, ranger,
        township_plan, villages, webhooks, work,
    };
    let mut out = vec![
        of::<cases::Attribute>(),
        of::<cases::Status>(),
        of::<cases::Relationship>(),
        of::<cases::MeasureKind>(),
        of::<calendar::DayKind>(),
        of::<campaign::Step>(),
        of::<campaign::StepState>(),
        of::<campaign::Status>(),
        of::<exit::Stage>(),
        of::<exit::Step>(),
        of::<exit::SignoffBody>(),
        of::<funds::FundLevel>(),
        of::<funds::Purpose>(),
        of::<funds::ProjectStatus>(),
        of::<funds::DisbursementKind>(),
        of::<inspection::Outcome>(),
        of::<crate::Level>(),
        of::<intake::Stage>(),
        of::<intake::Step>(),
        of::<intake::Kind>(),
        of::<intake::Source>(),
        of::<monitoring::Kind>(),
        of::<monitoring::RiskType>(),
        of::<monitoring::CaseStage>(),
        of::<monitoring::CaseStep>(),
        of::<monitoring::LeadRule>(),
        of::<monitoring::LeadStatus>(),
        of::<property::HitType>(),
        of::<property::Proposal>(),
        of::<ranger::IncidentKind>(),
        of::<township_plan::MilestoneState>(),
        of::<township_plan::Divergence>(),
        of::<villages::TargetStatus>(),
        of::<villages::Grade>(),
        of::<webhooks::EventKind>(),
        of::<work::JobStatus>(),
        of::<work::JobKind>(),
        of::<work::DeliveryStatus>(),
        of::<work::TaskKind>(),
        of::<work::ReportKind>(),
        of::<work::HitStatus>(),
        of::<work::TeamPosition>(),
        of::<work::Sex>(),
    ];
    out.sort_by_key(|(name, _)| *name);
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    fn count_declarations(dir: &Path) -> usize {
        let mut n = 0;
        for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{e}")) {
            let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
            if path.is_dir() {
                n += count_declarations(&path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
                n += text.lines().filter(|l| *l == "vocabulary! {").count();
            }
        }
        n
    }

    #[test]
    fn every_declared_vocabulary_is_listed_once_with_labels() {
        let all = super::all();
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        assert_eq!(
            all.len(),
            // `Level` implements `Vocabulary` by hand: its schema predates the macro.
            count_declarations(&src) + 1,
            "a `vocabulary!` is missing from vocabularies::all()"
        );
        let mut names: Vec<&str> = all.iter().map(|(n, _)| *n).collect();
        names.dedup();
        assert_eq!(names.len(), all.len(), "a vocabulary name repeats");
        for (name, entries) in &all {
            assert!(!entries.is_empty(), "{name} has no entries");
            assert!(
                entries.iter().all(|(c, l)| !c.is_empty() && !l.is_empty()),
                "{name} has an empty code or label"
            );
        }
        let status = all
            .iter()
            .find(|(n, _)| *n == "HouseholdStatus")
            .unwrap_or_else(|| panic!("no HouseholdStatus"));
        assert!(status.1.contains(&("non_poor", "一般农户")));
    }
}
