//! Privacy of aggregates above the county: which columns count people, and the cells hidden
//! because others would give them back.

use super::{Column, Line};

/// Whether a report's column counts people or households (or is one person's money), which
/// above the county are hidden under `min_cell`: every column of the households, monitoring and
/// exits reports; coverage's household counts (not its villages); a ranger report's contracts
/// (one person each), terminations and pay.
pub(super) fn counts_people(kind: &str, column: &str) -> bool {
    match kind {
        "coverage" => column.starts_with("households"),
        _ => true,
    }
}

/// Cells of `line` hidden because others of the same line give them back: the monitoring
/// report's kinds of case (their three add up to the three open stages: a hidden stage count
/// comes back as the kinds minus the other stages) and a ranger line's pay (one person's when
/// its contracts are hidden). Returns how many it hid.
pub(super) fn hide_derived(kind: &str, columns: &[Column], line: &mut Line) -> usize {
    let hidden = |code: &str, line: &Line| {
        columns
            .iter()
            .position(|c| c.code == code)
            .is_some_and(|j| line.values.get(j).is_some_and(Option::is_none))
    };
    let (triggers, follows): (&[&str], fn(&str) -> bool) = match kind {
        "monitoring" => (&["identified", "township_reviewed", "monitored"], |c| {
            c.starts_with("kind:")
        }),
        "rangers" => (&["contracts"], |c| c == "terminated" || c == "paid_fen"),
        _ => return 0,
    };
    // A hidden one among the cells that follow gives itself back too (the open stages minus
    // the other kinds): all of them go.
    let follower_hidden = columns
        .iter()
        .any(|c| follows(&c.code) && hidden(&c.code, line));
    if !triggers.iter().any(|t| hidden(t, line)) && !follower_hidden {
        return 0;
    }
    let mut hid = 0;
    for (j, c) in columns.iter().enumerate() {
        if follows(&c.code)
            && let Some(v) = line.values.get_mut(j)
            && v.is_some()
        {
            *v = None;
            hid += 1;
        }
    }
    hid
}

/// Secondary suppression: a column where exactly one row's cell is hidden under a shown total
/// gives it back as the total minus the others (one response, no probing). The smallest other
/// non-zero cell of that column is hidden too, or the total when there is none. Returns how many
/// cells it hid. Only the columns `people` marks (the others are shown whatever their size).
pub(super) fn hide_complements(total: &mut Line, rows: &mut [Line], people: &[bool]) -> usize {
    let mut hid = 0;
    for j in 0..total.values.len() {
        if !people.get(j).copied().unwrap_or(true) {
            continue;
        }
        if total.values.get(j).copied().flatten().is_none() {
            continue;
        }
        let hidden = rows
            .iter()
            .filter(|l| l.values.get(j).is_some_and(Option::is_none))
            .count();
        if hidden != 1 {
            continue;
        }
        let next = rows
            .iter_mut()
            .filter_map(|l| match l.values.get(j) {
                Some(Some(n)) if *n > 0 => Some((*n, l)),
                _ => None,
            })
            .min_by_key(|(n, _)| *n)
            .map(|(_, l)| l);
        match next {
            Some(l) => l.values[j] = None,
            None => total.values[j] = None,
        }
        hid += 1;
    }
    hid
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns(codes: &[&str]) -> Vec<Column> {
        codes
            .iter()
            .map(|c| Column {
                code: (*c).into(),
                label: String::new(),
            })
            .collect()
    }

    fn line(values: &[Option<i64>]) -> Line {
        Line {
            region_code: "370831101001".into(),
            name: String::new(),
            values: values.to_vec(),
        }
    }

    #[test]
    fn kinds_of_case_go_with_a_hidden_open_stage_and_pay_with_hidden_contracts() {
        let m = columns(&[
            "identified",
            "township_reviewed",
            "monitored",
            "returned",
            "kind:marginal",
            "kind:sudden_hardship",
        ]);
        // Identified 3 (hidden), reviewed 0, monitored 10: the kinds (13) would give the 3 back.
        let mut l = line(&[None, Some(0), Some(10), Some(4), Some(8), Some(5)]);
        assert_eq!(hide_derived("monitoring", &m, &mut l), 2);
        assert_eq!(l.values, [None, Some(0), Some(10), Some(4), None, None]);
        // Nothing hidden among the open stages or the kinds: the kinds stay.
        let mut l = line(&[Some(12), Some(0), Some(10), None, Some(14), Some(8)]);
        assert_eq!(hide_derived("monitoring", &m, &mut l), 0);
        // A small kind hidden: the other would give it back (the stages minus it), so it goes.
        let mut l = line(&[Some(12), Some(0), Some(10), None, Some(19), None]);
        assert_eq!(hide_derived("monitoring", &m, &mut l), 1);
        assert_eq!(l.values[4], None);
        let r = columns(&["contracts", "terminated", "paid_fen"]);
        let mut l = line(&[None, Some(0), Some(1_200_000)]);
        assert_eq!(hide_derived("rangers", &r, &mut l), 2);
        assert_eq!(l.values, [None, None, None]);
        let mut l = line(&[Some(12), Some(1), Some(9_000_000)]);
        assert_eq!(hide_derived("rangers", &r, &mut l), 0);
    }

    #[test]
    fn coverage_hides_its_household_counts_not_its_villages() {
        assert!(counts_people("coverage", "households_unvisited"));
        assert!(counts_people("coverage", "households"));
        assert!(!counts_people("coverage", "key_villages"));
        assert!(!counts_people(
            "coverage",
            "key_villages_without_first_secretary"
        ));
        assert!(counts_people("rangers", "paid_fen"));
        // A column not counting people keeps one small cell shown under its total.
        let mut total = line(&[Some(3), Some(20)]);
        let mut rows = vec![line(&[Some(1), None]), line(&[Some(2), Some(15)])];
        assert_eq!(hide_complements(&mut total, &mut rows, &[false, true]), 1);
        assert_eq!(rows[0].values, [Some(1), None]);
        assert_eq!(
            rows[1].values,
            [Some(2), None],
            "the people column's complement"
        );
    }
}
