//! Seed 4's remaining indicators of a village's yearly profile (issue 22): the living-environment
//! and governance milestones (yes/no), the share of high-standard farmland, households with
//! labour and those with someone in stable work, groups of 30+ households and those reached by
//! hardened roads, settlements of 200+ people and those with sewage treatment; and how the key
//! village targets read them.

use crate::FieldError;
use crate::settings::milestones::MilestoneTargets;
use crate::villages::{Evaluated, Point, TargetStatus, judge};

/// The indicators as entered; every one optional (not reported).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IndicatorsInput {
    /// 生活垃圾、污水治理工作体系建成.
    pub garbage_sewage_system: Option<bool>,
    /// 村规民约健全.
    pub village_rules: Option<bool>,
    /// 文化院坝建成.
    pub cultural_courtyard: Option<bool>,
    /// 新时代文明实践站建成.
    pub civilization_station: Option<bool>,
    /// 村民委员会换届完成.
    pub committee_election: Option<bool>,
    /// 村民(定向)议事会制度推行.
    pub deliberation_council: Option<bool>,
    /// 高标准农田占耕地比例, percent (one decimal).
    pub high_standard_farmland_pct: Option<f64>,
    /// 有劳动力的家庭 (households).
    pub labour_households: Option<i32>,
    /// Of them, those with at least one person in stable work.
    pub labour_households_stable_work: Option<i32>,
    /// 30户以上自然村(组).
    pub groups_30plus: Option<i32>,
    /// Of them, those reached by a hardened road.
    pub groups_30plus_hardened_road: Option<i32>,
    /// 200人以上居民聚居点(区).
    pub settlements_200plus: Option<i32>,
    /// Of them, those with sewage treatment.
    pub settlements_200plus_sewage: Option<i32>,
}

/// The indicators checked, the share in permille.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidIndicators {
    /// 生活垃圾、污水治理工作体系建成.
    pub garbage_sewage_system: Option<bool>,
    /// 村规民约健全.
    pub village_rules: Option<bool>,
    /// 文化院坝建成.
    pub cultural_courtyard: Option<bool>,
    /// 新时代文明实践站建成.
    pub civilization_station: Option<bool>,
    /// 村民委员会换届完成.
    pub committee_election: Option<bool>,
    /// 村民议事会制度推行.
    pub deliberation_council: Option<bool>,
    /// 高标准农田, permille.
    pub high_standard_farmland_permille: Option<i32>,
    /// 有劳动力的家庭.
    pub labour_households: Option<i32>,
    /// Of them, with stable work.
    pub labour_households_stable_work: Option<i32>,
    /// 30户以上自然村(组).
    pub groups_30plus: Option<i32>,
    /// Of them, with hardened roads.
    pub groups_30plus_hardened_road: Option<i32>,
    /// 200人以上居民聚居点.
    pub settlements_200plus: Option<i32>,
    /// Of them, with sewage treatment.
    pub settlements_200plus_sewage: Option<i32>,
}

/// Checks the indicators of a profile of `households` households: counts not negative, a part
/// never without or above its whole, households with labour no more than the village's, the
/// farmland share a percentage with one decimal. Errors name the body's fields, under
/// `indicators.`.
pub fn validate(
    out: &mut Vec<FieldError>,
    households: i32,
    b: &IndicatorsInput,
) -> ValidIndicators {
    let mut errs = Vec::new();
    let v = check(&mut errs, households, b);
    out.extend(
        errs.into_iter()
            .map(|e| FieldError::new(format!("indicators.{}", e.field), e.rule)),
    );
    v
}

fn check(errs: &mut Vec<FieldError>, households: i32, b: &IndicatorsInput) -> ValidIndicators {
    let pairs = [
        (
            "labour_households",
            b.labour_households,
            "labour_households_stable_work",
            b.labour_households_stable_work,
        ),
        (
            "groups_30plus",
            b.groups_30plus,
            "groups_30plus_hardened_road",
            b.groups_30plus_hardened_road,
        ),
        (
            "settlements_200plus",
            b.settlements_200plus,
            "settlements_200plus_sewage",
            b.settlements_200plus_sewage,
        ),
    ];
    for (whole_f, whole, part_f, part) in pairs {
        for (f, v) in [(whole_f, whole), (part_f, part)] {
            if v.is_some_and(|n| n < 0) {
                errs.push(FieldError::new(f, crate::Rule::NotNegative));
            }
        }
        match (whole, part) {
            (None, Some(_)) => errs.push(FieldError::new(
                part_f,
                crate::Rule::other(
                    format!("needs {whole_f}: of how many it counts"),
                    format!("需要填写 {whole_f}:即其统计的总数"),
                ),
            )),
            (Some(w), Some(p)) if p > w && p >= 0 => errs.push(FieldError::new(
                part_f,
                crate::Rule::other(
                    format!("must not exceed {whole_f} ({w})"),
                    format!("不能超过 {whole_f}({w})"),
                ),
            )),
            _ => {}
        }
    }
    if let Some(l) = b.labour_households
        && l > households
        && households >= 0
    {
        errs.push(FieldError::new(
            "labour_households",
            crate::Rule::other(
                format!("must not exceed households ({households})"),
                format!("不能超过户数({households})"),
            ),
        ));
    }
    ValidIndicators {
        garbage_sewage_system: b.garbage_sewage_system,
        village_rules: b.village_rules,
        cultural_courtyard: b.cultural_courtyard,
        civilization_station: b.civilization_station,
        committee_election: b.committee_election,
        deliberation_council: b.deliberation_council,
        high_standard_farmland_permille: crate::input::permille(
            errs,
            "high_standard_farmland_pct",
            b.high_standard_farmland_pct,
        ),
        labour_households: b.labour_households,
        labour_households_stable_work: b.labour_households_stable_work,
        groups_30plus: b.groups_30plus,
        groups_30plus_hardened_road: b.groups_30plus_hardened_road,
        settlements_200plus: b.settlements_200plus,
        settlements_200plus_sewage: b.settlements_200plus_sewage,
    }
}

/// A village's measurements for these targets, year by year.
#[derive(Debug, Clone, Default)]
pub struct Measured {
    /// The year the industry plan was adopted (value 1), if it was.
    pub industry_plan: Vec<Point>,
    /// 1 yes / 0 no per year reported.
    pub garbage_sewage_system: Vec<Point>,
    /// 1 / 0.
    pub village_rules: Vec<Point>,
    /// 1 / 0.
    pub committee_election: Vec<Point>,
    /// 1 / 0.
    pub cultural_courtyard: Vec<Point>,
    /// 1 / 0.
    pub deliberation_council: Vec<Point>,
    /// 1 / 0.
    pub civilization_station: Vec<Point>,
    /// Households with labour having someone in stable work, permille of those with labour.
    pub stable_work: Vec<Point>,
    /// Groups of 30+ households reached by hardened roads, permille.
    pub group_roads: Vec<Point>,
}

impl Measured {
    /// Adds a year's indicators.
    pub fn add(&mut self, year: i32, v: &ValidIndicators) {
        let at = |value: i64| Point { year, value };
        for (points, flag) in [
            (&mut self.garbage_sewage_system, v.garbage_sewage_system),
            (&mut self.village_rules, v.village_rules),
            (&mut self.committee_election, v.committee_election),
            (&mut self.cultural_courtyard, v.cultural_courtyard),
            (&mut self.deliberation_council, v.deliberation_council),
            (&mut self.civilization_station, v.civilization_station),
        ] {
            if let Some(b) = flag {
                points.push(at(i64::from(b)));
            }
        }
        for (points, whole, part) in [
            (
                &mut self.stable_work,
                v.labour_households,
                v.labour_households_stable_work,
            ),
            (
                &mut self.group_roads,
                v.groups_30plus,
                v.groups_30plus_hardened_road,
            ),
        ] {
            if let (Some(w), Some(p)) = (whole, part) {
                points.push(at(share_permille(p, w)));
            }
        }
    }
}

/// `part` of `whole` in permille, rounded down, so that anything short of all is below 1000;
/// none of none is all (every household with labour, when there is none, has work).
pub fn share_permille(part: i32, whole: i32) -> i64 {
    if whole <= 0 {
        return 1000;
    }
    i64::from(part.clamp(0, whole)) * 1000 / i64::from(whole)
}

fn latest(points: &[Point], year: i32) -> Option<Point> {
    points
        .iter()
        .filter(|p| p.year <= year)
        .max_by_key(|p| p.year)
        .copied()
}

/// Evaluates the targets as of `year`, appending them to `out`.
pub fn evaluate(s: &MilestoneTargets, m: &Measured, year: i32, out: &mut Vec<Evaluated>) {
    let mut push = |code: &str,
                    label: String,
                    unit: &'static str,
                    target: i64,
                    deadline: i32,
                    points: &[Point]| {
        let l = latest(points, year);
        let status = judge(target, deadline, points, year);
        let gap = match (status, l) {
            (TargetStatus::Met, _) => 0.0,
            (_, Some(p)) if target > 0 => {
                ((target - p.value).max(0) as f64 / target as f64).clamp(0.0, 1.0)
            }
            _ => 1.0,
        };
        out.push(Evaluated {
            code: code.into(),
            label,
            unit,
            target,
            deadline,
            latest: l.map(|p| p.value),
            latest_year: l.map(|p| p.year),
            status,
            gap,
        });
    };
    push(
        "industry_plan",
        "完成产业规划方案编制".into(),
        "yes",
        1,
        s.industry_plan_year,
        &m.industry_plan,
    );
    for (code, label, deadline, points) in [
        (
            "garbage_sewage_system",
            "生活垃圾、污水治理工作体系建成",
            s.garbage_sewage_year,
            &m.garbage_sewage_system,
        ),
        (
            "village_rules",
            "村规民约健全",
            s.village_rules_year,
            &m.village_rules,
        ),
        (
            "committee_election",
            "村民委员会换届完成",
            s.committee_election_year,
            &m.committee_election,
        ),
        (
            "cultural_courtyard",
            "文化院坝建成",
            s.cultural_courtyard_year,
            &m.cultural_courtyard,
        ),
        (
            "deliberation_council",
            "村民议事会(定向议事代表会议)制度推行",
            s.deliberation_council_year,
            &m.deliberation_council,
        ),
        (
            "civilization_station",
            "新时代文明实践站建成",
            s.civilization_station_year,
            &m.civilization_station,
        ),
    ] {
        push(code, label.into(), "yes", 1, deadline, points);
    }
    for (code, label, t, points) in [
        (
            "stable_work",
            "有劳动力的家庭至少有一人稳定就业",
            &s.stable_work_target,
            &m.stable_work,
        ),
        (
            "group_roads",
            "30户以上自然村(组)通硬化路",
            &s.group_roads_target,
            &m.group_roads,
        ),
    ] {
        push(
            code,
            format!("{label}达到{}%", t.value),
            "permille",
            t.value * 10,
            t.year,
            points,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_never_exceed_their_wholes_and_shares_round_down() {
        let mut errs = Vec::new();
        let b = IndicatorsInput {
            labour_households: Some(120),
            labour_households_stable_work: Some(121),
            groups_30plus_hardened_road: Some(2),
            settlements_200plus: Some(-1),
            high_standard_farmland_pct: Some(40.25),
            ..IndicatorsInput::default()
        };
        let _ = validate(&mut errs, 100, &b);
        let mut fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        fields.sort_unstable();
        assert_eq!(
            fields,
            vec![
                "indicators.groups_30plus_hardened_road",
                "indicators.high_standard_farmland_pct",
                "indicators.labour_households",
                "indicators.labour_households_stable_work",
                "indicators.settlements_200plus",
            ]
        );
        assert_eq!(share_permille(199, 200), 995);
        assert_eq!(share_permille(200, 200), 1000);
        assert_eq!(share_permille(0, 0), 1000);
    }

    #[test]
    fn milestones_are_met_by_their_deadline_or_missed() {
        let s = MilestoneTargets::default();
        let mut m = Measured::default();
        m.add(
            2021,
            &ValidIndicators {
                village_rules: Some(true),
                committee_election: Some(false),
                labour_households: Some(200),
                labour_households_stable_work: Some(199),
                ..ValidIndicators::default()
            },
        );
        let mut out = Vec::new();
        evaluate(&s, &m, 2022, &mut out);
        let status = |c: &str| out.iter().find(|e| e.code == c).map(|e| e.status);
        assert_eq!(status("village_rules"), Some(TargetStatus::Met));
        assert_eq!(status("committee_election"), Some(TargetStatus::Missed));
        // Reported no year: past the 2021 deadline.
        assert_eq!(status("garbage_sewage_system"), Some(TargetStatus::Missed));
        assert_eq!(status("industry_plan"), Some(TargetStatus::NoData));
        assert_eq!(status("cultural_courtyard"), Some(TargetStatus::NoData));
        // 199 of 200: one measurement short of all, before 2025.
        assert_eq!(status("stable_work"), Some(TargetStatus::AtRisk));
    }
}
