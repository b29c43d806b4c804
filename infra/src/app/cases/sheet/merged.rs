//! Merged cells of a worksheet: a county's register commonly merges 户编号 and the household's
//! other columns down its member rows, and only a region's top-left cell holds the value.

use std::collections::HashMap;

use calamine::Dimensions;

use super::put;

/// The regions spanning rows below the header, by the row they start on (each row looks up its
/// own: a register merging ten columns of each of 300,000 households has three million), and
/// the values being carried down.
#[derive(Debug)]
pub(super) struct Merged {
    starting: HashMap<u32, Vec<Dimensions>>,
    /// (column, last row, value) of the regions the rows being read lie in.
    fills: Vec<(u32, u32, String)>,
}

impl Merged {
    /// From the sheet's list of regions (one row high ones and those starting at or above the
    /// header row left out).
    pub(super) fn new(regions: Vec<Dimensions>, header_row: u32) -> Self {
        let mut starting: HashMap<u32, Vec<Dimensions>> = HashMap::new();
        for d in regions
            .into_iter()
            .filter(|d| d.end.0 > d.start.0 && d.start.0 > header_row)
        {
            starting.entry(d.start.0).or_default().push(d);
        }
        Self {
            starting,
            fills: Vec::new(),
        }
    }

    /// Fills row `r`'s `cells` (its columns from `offset`) as the sheet shows them: a region's
    /// rows below its top read its value where they hold none, in the region's first column
    /// only; a row blank of its own stays blank (skipped, not made a row of the household's
    /// values alone). Rows come in order.
    pub(super) fn fill(&mut self, r: u32, offset: u32, cells: &mut Vec<String>) {
        let at = |cells: &[String], col: u32| {
            col.checked_sub(offset)
                .and_then(|i| usize::try_from(i).ok())
                .and_then(|i| cells.get(i))
                .cloned()
                .unwrap_or_default()
        };
        self.fills.retain(|(_, last, _)| *last >= r);
        if !cells.iter().all(|c| c.trim().is_empty()) {
            for (col, _, value) in &self.fills {
                if at(cells, *col).is_empty() {
                    put(cells, *col, offset, value.clone());
                }
            }
        }
        for d in self.starting.get(&r).into_iter().flatten() {
            let value = at(cells, d.start.1);
            if !value.is_empty() {
                self.fills.push((d.start.1, d.end.0, value));
            }
        }
    }
}
