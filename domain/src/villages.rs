//! Key assistance villages (seed 4): targets with deadlines, and whether a village has met
//! them, is on track, at risk, or has missed them, judged from its yearly measurements.

use serde::Serialize;

use crate::FieldError;
use crate::settings::KeyVillageSettings;

vocabulary! {
    /// Where a village stands against one target.
    TargetStatus {
        /// Reached.
        Met = "met" / "已达标",
        /// Not reached yet; the trend reaches it by the deadline.
        OnTrack = "on_track" / "按进度",
        /// Not reached; the trend (or lack of one) does not reach it by the deadline.
        AtRisk = "at_risk" / "有风险",
        /// The deadline passed without reaching it.
        Missed = "missed" / "未达标",
        /// No measurement yet.
        NoData = "no_data" / "无数据",
    }
}

vocabulary! {
    /// A yearly assessment grade.
    Grade as "VillageGrade" {
        /// 优秀.
        Excellent = "excellent" / "优秀",
        /// 良好.
        Good = "good" / "良好",
        /// 一般.
        Fair = "fair" / "一般",
        /// 较差.
        Poor = "poor" / "较差",
    }
}

/// A measured value in a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Point {
    /// Year.
    pub year: i32,
    /// Value (fen, permille, or a difference: see the target).
    pub value: i64,
}

/// A target evaluated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluated {
    /// Stable code (`collective_income_2023`, `tap_water`, …).
    pub code: String,
    /// What it asks, in Chinese.
    pub label: String,
    /// Unit of `target` and `latest`: `fen`, `permille`, `fen_vs_county`, `present`.
    pub unit: &'static str,
    /// The target value.
    pub target: i64,
    /// Deadline year.
    pub deadline: i32,
    /// Latest measured value up to the assessment year.
    pub latest: Option<i64>,
    /// Year of that value.
    pub latest_year: Option<i32>,
    /// Status.
    pub status: TargetStatus,
    /// Relative shortfall, 0 (met) to 1 (nothing), for ranking.
    pub gap: f64,
}

/// Judges one target from measurements (any order) as of `year`.
pub fn judge(target: i64, deadline: i32, points: &[Point], year: i32) -> TargetStatus {
    let mut pts: Vec<Point> = points.iter().copied().filter(|p| p.year <= year).collect();
    pts.sort_by_key(|p| p.year);
    let Some(last) = pts.last().copied() else {
        return if year > deadline {
            TargetStatus::Missed
        } else {
            TargetStatus::NoData
        };
    };
    // Judged at the deadline: the latest value up to it.
    let at_deadline = pts.iter().rev().find(|p| p.year <= deadline).copied();
    if at_deadline.is_some_and(|p| p.value >= target) {
        return TargetStatus::Met;
    }
    if year > deadline || at_deadline.is_some_and(|p| p.year == deadline) {
        return TargetStatus::Missed;
    }
    if last.value >= target {
        return TargetStatus::Met;
    }
    let first = pts[0];
    if last.year > first.year {
        // Straight-line trend from the first to the last measurement.
        let slope_num = last.value - first.value;
        let span = i64::from(last.year - first.year);
        let projected = last.value + slope_num * i64::from(deadline - last.year) / span;
        if projected >= target {
            return TargetStatus::OnTrack;
        }
    }
    TargetStatus::AtRisk
}

/// A village's measurements for the targets.
#[derive(Debug, Clone, Default)]
pub struct Measurements {
    /// Collective-economy income per year, fen.
    pub collective_income: Vec<Point>,
    /// Tap-water coverage per year, permille.
    pub tap_water: Vec<Point>,
    /// Sanitary-toilet coverage per year, permille.
    pub sanitary_toilet: Vec<Point>,
    /// Per-capita income minus the county's per-capita income, per year (fen).
    pub income_vs_county: Vec<Point>,
    /// County per-capita income per year (fen), for the gap.
    pub county_income: Vec<Point>,
    /// 1 when a leading (main) industry is recorded, per year.
    pub leading_industry: Vec<Point>,
    /// 1 when a featured industry is recorded, per year.
    pub featured_industry: Vec<Point>,
    /// The milestones, industry plan, stable work and roads (issue 22).
    pub more: crate::village_indicators::Measured,
}

fn latest(points: &[Point], year: i32) -> Option<Point> {
    points
        .iter()
        .filter(|p| p.year <= year)
        .max_by_key(|p| p.year)
        .copied()
}

fn ratio(short: i64, of: i64) -> f64 {
    if of <= 0 {
        return if short > 0 { 1.0 } else { 0.0 };
    }
    (short.max(0) as f64 / of as f64).clamp(0.0, 1.0)
}

/// Evaluates every target of the settings against the measurements as of `year`.
pub fn evaluate(s: &KeyVillageSettings, m: &Measurements, year: i32) -> Vec<Evaluated> {
    let mut out = Vec::new();
    let mut push = |code: String,
                    label: String,
                    unit: &'static str,
                    target: i64,
                    deadline: i32,
                    points: &[Point],
                    gap_of: &dyn Fn(Option<Point>) -> f64| {
        let l = latest(points, year);
        let status = judge(target, deadline, points, year);
        out.push(Evaluated {
            code,
            label,
            unit,
            target,
            deadline,
            latest: l.map(|p| p.value),
            latest_year: l.map(|p| p.year),
            gap: if status == TargetStatus::Met {
                0.0
            } else {
                gap_of(l)
            },
            status,
        });
    };
    for t in &s.collective_income_targets {
        push(
            format!("collective_income_{}", t.year),
            format!("村集体经济收入达到{}元", t.value / 100),
            "fen",
            t.value,
            t.year,
            &m.collective_income,
            &|l| ratio(t.value - l.map_or(0, |p| p.value), t.value),
        );
    }
    for (code, label, t, points) in [
        (
            "tap_water",
            "自来水普及率",
            &s.tap_water_target,
            &m.tap_water,
        ),
        (
            "sanitary_toilet",
            "卫生厕所普及率",
            &s.sanitary_toilet_target,
            &m.sanitary_toilet,
        ),
    ] {
        let target = t.value * 10;
        push(
            code.into(),
            format!("{label}达到{}%", t.value),
            "permille",
            target,
            t.year,
            points,
            &|l| ratio(target - l.map_or(0, |p| p.value), target),
        );
    }
    let county = latest(&m.county_income, year).map_or(0, |p| p.value);
    push(
        "income_parity".into(),
        "农民人均可支配收入达到县域平均水平".into(),
        "fen_vs_county",
        0,
        s.income_parity_year,
        &m.income_vs_county,
        &|l| ratio(-l.map_or(-county, |p| p.value), county),
    );
    for (code, label, points) in [
        ("leading_industry", "有主导产业", &m.leading_industry),
        ("featured_industry", "有特色产业", &m.featured_industry),
    ] {
        push(
            code.into(),
            label.into(),
            "present",
            1,
            s.industry_year,
            points,
            &|_| 1.0,
        );
    }
    crate::village_indicators::evaluate(&s.milestones, &m.more, year, &mut out);
    out
}

/// The sum of the gaps: how far a village is from its targets (for ranking).
pub fn total_gap(targets: &[Evaluated]) -> f64 {
    targets.iter().map(|t| t.gap).sum()
}

/// A village's profile of one year as entered (by the form or by a spreadsheet row).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProfileInput {
    /// 总户数.
    pub households: i32,
    /// 总人口.
    pub population: i32,
    /// 人均可支配收入, fen.
    pub per_capita_income_fen: i64,
    /// 村集体经济收入, fen.
    pub collective_income_fen: i64,
    /// 耕地, mu (one decimal).
    pub cultivated_mu: f64,
    /// 林地, mu (one decimal).
    pub forest_mu: f64,
    /// 主要产业 (up to 10).
    pub main_industries: Vec<String>,
    /// 特色产业 (up to 10).
    pub featured_industries: Vec<String>,
    /// 两项改革合并村.
    pub merged_village: bool,
    /// 原贫困村.
    pub former_poor_village: bool,
    /// 硬化路 coverage, percent (one decimal).
    pub hardened_road_pct: Option<f64>,
    /// 自来水 coverage, percent.
    pub tap_water_pct: Option<f64>,
    /// 卫生厕所 coverage, percent.
    pub sanitary_toilet_pct: Option<f64>,
    /// 通电, percent.
    pub electricity_pct: Option<f64>,
    /// 适龄儿童入学率, percent.
    pub school_enrolment_pct: Option<f64>,
    /// Milestones and further indicators (issue 22).
    pub indicators: crate::village_indicators::IndicatorsInput,
}

/// A checked profile, areas in tenths of a mu and coverages in permille.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidProfile {
    /// 总户数.
    pub households: i32,
    /// 总人口.
    pub population: i32,
    /// 人均可支配收入, fen.
    pub per_capita_income_fen: i64,
    /// 村集体经济收入, fen.
    pub collective_income_fen: i64,
    /// 耕地, tenths of a mu.
    pub cultivated_mu_tenths: i64,
    /// 林地, tenths of a mu.
    pub forest_mu_tenths: i64,
    /// 主要产业.
    pub main_industries: Vec<String>,
    /// 特色产业.
    pub featured_industries: Vec<String>,
    /// 两项改革合并村.
    pub merged_village: bool,
    /// 原贫困村.
    pub former_poor_village: bool,
    /// 硬化路, permille.
    pub hardened_road_permille: Option<i32>,
    /// 自来水, permille.
    pub tap_water_permille: Option<i32>,
    /// 卫生厕所, permille.
    pub sanitary_toilet_permille: Option<i32>,
    /// 通电, permille.
    pub electricity_permille: Option<i32>,
    /// 适龄儿童入学率, permille.
    pub school_enrolment_permille: Option<i32>,
    /// Milestones and further indicators (issue 22).
    pub indicators: crate::village_indicators::ValidIndicators,
}

/// Checks a profile of `year`: counts and money not negative, areas and percentages in range
/// with one decimal, at most ten industries of up to 50 characters each.
///
/// # Errors
/// Every field error, named as the request body names the field.
pub fn validate_profile(year: i32, b: &ProfileInput) -> Result<ValidProfile, Vec<FieldError>> {
    use crate::input::{check_year, mu_tenths, permille, text};
    let mut errs = Vec::new();
    check_year(&mut errs, "year", year);
    for (f, n) in [("households", b.households), ("population", b.population)] {
        if n < 0 {
            errs.push(FieldError::new(f, crate::Rule::NotNegative));
        }
    }
    for (f, n) in [
        ("per_capita_income_fen", b.per_capita_income_fen),
        ("collective_income_fen", b.collective_income_fen),
    ] {
        if n < 0 {
            errs.push(FieldError::new(f, crate::Rule::NotNegative));
        }
    }
    let mut industries = |f: &str, list: &[String]| -> Vec<String> {
        if list.len() > 10 {
            errs.push(FieldError::new(
                f,
                crate::Rule::other("at most 10", "最多 10 个"),
            ));
        }
        list.iter()
            .enumerate()
            .map(|(i, s)| text(&mut errs, &format!("{f}[{i}]"), s, true, 50))
            .collect()
    };
    let main_industries = industries("main_industries", &b.main_industries);
    let featured_industries = industries("featured_industries", &b.featured_industries);
    let v = ValidProfile {
        households: b.households,
        population: b.population,
        per_capita_income_fen: b.per_capita_income_fen,
        collective_income_fen: b.collective_income_fen,
        cultivated_mu_tenths: mu_tenths(
            &mut errs,
            "cultivated_mu",
            b.cultivated_mu,
            0.0,
            10_000_000.0,
        ),
        forest_mu_tenths: mu_tenths(&mut errs, "forest_mu", b.forest_mu, 0.0, 10_000_000.0),
        main_industries,
        featured_industries,
        merged_village: b.merged_village,
        former_poor_village: b.former_poor_village,
        hardened_road_permille: permille(&mut errs, "hardened_road_pct", b.hardened_road_pct),
        tap_water_permille: permille(&mut errs, "tap_water_pct", b.tap_water_pct),
        sanitary_toilet_permille: permille(&mut errs, "sanitary_toilet_pct", b.sanitary_toilet_pct),
        electricity_permille: permille(&mut errs, "electricity_pct", b.electricity_pct),
        school_enrolment_permille: permille(
            &mut errs,
            "school_enrolment_pct",
            b.school_enrolment_pct,
        ),
        indicators: crate::village_indicators::validate(&mut errs, b.households, &b.indicators),
    };
    if errs.is_empty() { Ok(v) } else { Err(errs) }
}

/// Checks a visit log (走访记录): found and done 1 to 2000 characters, the date not after
/// `today`. Returns the two texts trimmed.
///
/// # Errors
/// Every field error, named as the request body names the field.
pub fn validate_visit(
    visited_on: chrono::NaiveDate,
    found: &str,
    done: &str,
    today: chrono::NaiveDate,
) -> Result<(String, String), Vec<FieldError>> {
    let mut errs = Vec::new();
    if visited_on > today {
        errs.push(FieldError::new("visited_on", crate::Rule::NotInFuture));
    }
    let found = crate::input::text(&mut errs, "found", found, true, 2000);
    let done = crate::input::text(&mut errs, "done", done, true, 2000);
    if errs.is_empty() {
        Ok((found, done))
    } else {
        Err(errs)
    }
}

/// A team member as entered, checked: name and dispatching unit trimmed, the position one of
/// the three, the term in order, the ID number valid.
#[derive(Debug, Clone)]
pub struct ValidTeamMember {
    /// Name, 1 to 50 characters.
    pub name: String,
    /// 派出单位, 1 to 100 characters.
    pub dispatching_unit: String,
    /// `first_secretary`, `leader` or `member`.
    pub position: String,
    /// ID number.
    pub id_number: crate::cases::IdNumber,
}

/// The positions on a resident work team.
pub const TEAM_POSITIONS: &[&str] = &["first_secretary", "leader", "member"];

/// Checks a team member as `POST /teams/{id}/members` and the team members sheet take it.
///
/// # Errors
/// Every field error, named as the request body names the field.
pub fn validate_team_member(
    name: &str,
    id_number: &str,
    dispatching_unit: &str,
    position: &str,
    term: (chrono::NaiveDate, chrono::NaiveDate),
    today: chrono::NaiveDate,
) -> Result<ValidTeamMember, Vec<FieldError>> {
    let mut errs = Vec::new();
    let name = crate::input::text(&mut errs, "name", name, true, 50);
    let unit = crate::input::text(&mut errs, "dispatching_unit", dispatching_unit, true, 100);
    if !TEAM_POSITIONS.contains(&position) {
        errs.push(FieldError::new(
            "position",
            crate::Rule::one_of(["first_secretary", "leader", "member"]),
        ));
    }
    if term.0 > term.1 {
        errs.push(FieldError::new(
            "term_end",
            crate::Rule::not_before("term_start"),
        ));
    }
    let id = crate::cases::IdNumber::parse(id_number, today)
        .map_err(|m| errs.push(FieldError::new("id_number", m)))
        .ok();
    match id {
        Some(id_number) if errs.is_empty() => Ok(ValidTeamMember {
            name,
            dispatching_unit: unit,
            position: position.to_string(),
            id_number,
        }),
        _ => Err(errs),
    }
}

/// Whether a village designated for `from_year..=to_year`, and left key status on
/// `exit_decided_on` (if it did), was a key village in `year`: designated for it, and not yet
/// out when the year began. A year's figures (the linking-fund share, the key-village report)
/// count the villages that were key that year, not those that are key today.
pub fn key_in(
    from_year: i32,
    to_year: i32,
    exit_decided_on: Option<chrono::NaiveDate>,
    year: i32,
) -> bool {
    use chrono::Datelike as _;
    (from_year..=to_year).contains(&year) && exit_decided_on.is_none_or(|d| d.year() >= year)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(year: i32, value: i64) -> Point {
        Point { year, value }
    }

    #[test]
    fn met_on_track_at_risk_missed() {
        // 50,000 yuan by 2023.
        let t = 5_000_000;
        // Seed 4's first village: 200,000 yuan in 2020.
        assert_eq!(
            judge(t, 2023, &[p(2020, 20_000_000)], 2021),
            TargetStatus::Met
        );
        // Seed 4's second: 5,800 yuan in 2020, 6,000 in 2021: far from the line.
        assert_eq!(
            judge(t, 2023, &[p(2020, 580_000), p(2021, 600_000)], 2021),
            TargetStatus::AtRisk
        );
        // Rising fast enough.
        assert_eq!(
            judge(t, 2023, &[p(2020, 1_000_000), p(2021, 3_000_000)], 2021),
            TargetStatus::OnTrack
        );
        // The deadline passed below the target.
        assert_eq!(
            judge(t, 2023, &[p(2020, 580_000), p(2023, 4_999_999)], 2024),
            TargetStatus::Missed
        );
        // Measured in the deadline year below target: missed, even judged that year.
        assert_eq!(
            judge(t, 2023, &[p(2023, 4_999_999)], 2023),
            TargetStatus::Missed
        );
        // Exactly on target is met; reaching it only after the deadline is still missed.
        assert_eq!(judge(t, 2023, &[p(2023, t)], 2023), TargetStatus::Met);
        assert_eq!(
            judge(t, 2023, &[p(2022, 0), p(2024, t)], 2024),
            TargetStatus::Missed
        );
        assert_eq!(judge(t, 2023, &[], 2022), TargetStatus::NoData);
        assert_eq!(judge(t, 2023, &[], 2024), TargetStatus::Missed);
        // Measurements after the assessment year are not seen.
        assert_eq!(
            judge(t, 2023, &[p(2020, 0), p(2022, t)], 2021),
            TargetStatus::AtRisk
        );
    }

    #[test]
    fn every_target_of_the_settings_is_evaluated_and_gaps_rank() {
        let s = crate::settings::Settings::default().key_village;
        let m = Measurements {
            collective_income: vec![p(2020, 580_000)],
            tap_water: vec![p(2020, 950)],
            sanitary_toilet: vec![p(2020, 450)],
            income_vs_county: vec![p(2020, -100_000)],
            county_income: vec![p(2020, 2_000_000)],
            leading_industry: vec![p(2020, 1)],
            featured_industry: vec![p(2020, 1)],
            ..Measurements::default()
        };
        let e = evaluate(&s, &m, 2021);
        let codes: Vec<(&str, TargetStatus)> =
            e.iter().map(|t| (t.code.as_str(), t.status)).collect();
        assert_eq!(
            codes,
            vec![
                ("collective_income_2023", TargetStatus::AtRisk),
                ("collective_income_2025", TargetStatus::AtRisk),
                ("tap_water", TargetStatus::Met),
                ("sanitary_toilet", TargetStatus::AtRisk),
                ("income_parity", TargetStatus::AtRisk),
                ("leading_industry", TargetStatus::Met),
                ("featured_industry", TargetStatus::Met),
                // Issue 22: nothing reported yet, none of the deadlines passed in 2021.
                ("industry_plan", TargetStatus::NoData),
                ("garbage_sewage_system", TargetStatus::NoData),
                ("village_rules", TargetStatus::NoData),
                ("committee_election", TargetStatus::NoData),
                ("cultural_courtyard", TargetStatus::NoData),
                ("deliberation_council", TargetStatus::NoData),
                ("civilization_station", TargetStatus::NoData),
                ("stable_work", TargetStatus::NoData),
                ("group_roads", TargetStatus::NoData),
            ]
        );
        // 5,800 of 50,000 yuan: 88.4% short.
        assert!((e[0].gap - 0.884).abs() < 1e-9);
        assert!((e[4].gap - 0.05).abs() < 1e-9);
        assert!(total_gap(&e) > 2.0);
    }
}

#[cfg(test)]
mod key_in_tests {
    use super::key_in;

    #[test]
    fn a_village_is_key_in_the_years_it_was_designated_for_until_it_left() {
        let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day);
        assert!(key_in(2021, 2025, None, 2021) && key_in(2021, 2025, None, 2025));
        assert!(!key_in(2021, 2025, None, 2020) && !key_in(2021, 2025, None, 2026));
        // Left key status in 2024: key in 2021 and in 2024 itself, not in 2025.
        assert!(key_in(2021, 2025, d(2024, 6, 30), 2021));
        assert!(key_in(2021, 2025, d(2024, 6, 30), 2024));
        assert!(!key_in(2021, 2025, d(2024, 6, 30), 2025));
    }
}
