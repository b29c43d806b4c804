//! Writing sheets: tables as CSV or XLSX (with the formula guard) and the import templates.

use super::{COLUMNS, Column};
use domain::DomainError;

/// A table as CSV (UTF-8 with a byte-order mark, so Excel opens it right).
pub fn table_csv(header: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    let _ = w.write_record(header);
    for r in rows {
        let _ = w.write_record(r.iter().map(|c| guard(c)));
    }
    w.into_inner().unwrap_or_default()
}

/// The characters a spreadsheet reads a CSV cell beginning with as a formula (`=`, `+`, `-`,
/// `@`) or strips and then reads the rest so (a tab, a carriage return).
pub const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A CSV cell a spreadsheet would run as a formula, with a leading `'` (a negative number such
/// as `-5` is left as it is; `+86…` is a phone number the spreadsheet would turn into a number,
/// so it is kept as text); the import takes the `'` off again. For CSV only: an XLSX cell
/// written as a string is never a formula, and the `'` would show.
pub fn guard(cell: &str) -> String {
    let number = !cell.starts_with('+') && cell.parse::<f64>().is_ok_and(f64::is_finite);
    if cell.starts_with(FORMULA_STARTS) && !number {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// A table as XLSX (every cell text, so codes keep their digits).
///
/// # Errors
/// When the workbook cannot be written.
pub fn table_xlsx(header: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, DomainError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let fail =
        |e: rust_xlsxwriter::XlsxError| DomainError::Unexpected(anyhow::anyhow!("xlsx: {e}"));
    for (i, h) in header.iter().enumerate() {
        let col = u16::try_from(i).unwrap_or(0);
        sheet.write_string(0, col, *h).map_err(fail)?;
        sheet.set_column_width(col, 16).map_err(fail)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
        for (c, v) in row.iter().enumerate() {
            sheet
                .write_string(r, u16::try_from(c).unwrap_or(0), v)
                .map_err(fail)?;
        }
    }
    book.save_to_buffer().map_err(fail)
}

/// The template as CSV: the header and one example row.
pub fn template_csv() -> Vec<u8> {
    template_csv_of(COLUMNS, &example_row())
}

/// A template as CSV for any sheet: the Chinese headers of `columns` and one example row.
pub fn template_csv_of(columns: &[Column], example: &[&str]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    let _ = w.write_record(columns.iter().map(|c| c.label));
    let _ = w.write_record(example);
    w.into_inner().unwrap_or_default()
}

fn example_row() -> Vec<&'static str> {
    vec![
        "3708310010030001",
        "370831001003",
        "泗河街道仲子社区",
        "",
        "一般贫困户",
        "因病;缺资金",
        "2015",
        "李干部",
        "",
        "王秀英",
        "370831198001010015",
        "户主",
        "初中",
        "",
        "健康",
        "",
        "普通劳动力",
        "是",
        "是",
        "13800000000",
        "2020",
        "4200.50",
        "6000",
        "2400",
        "0",
        "4200",
        "是",
        "是",
        "是",
        "是",
        "是",
        "是",
    ]
}

/// The template as XLSX (ID numbers formatted as text so Excel keeps all 18 characters).
///
/// # Errors
/// When the workbook cannot be written.
pub fn template_xlsx() -> Result<Vec<u8>, DomainError> {
    template_xlsx_of(COLUMNS, &example_row())
}

/// A template as XLSX for any sheet: the Chinese headers of `columns`, every column formatted
/// as text (codes and ID numbers keep their digits), and one example row.
///
/// # Errors
/// When the workbook cannot be written.
pub fn template_xlsx_of(columns: &[Column], example: &[&str]) -> Result<Vec<u8>, DomainError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let fail =
        |e: rust_xlsxwriter::XlsxError| DomainError::Unexpected(anyhow::anyhow!("template: {e}"));
    let text = rust_xlsxwriter::Format::new().set_num_format("@");
    for (i, c) in columns.iter().enumerate() {
        let col = u16::try_from(i).unwrap_or(0);
        sheet.write_string(0, col, c.label).map_err(fail)?;
        sheet.set_column_format(col, &text).map_err(fail)?;
        sheet.set_column_width(col, 14).map_err(fail)?;
    }
    for (i, v) in example.iter().enumerate() {
        sheet
            .write_string(1, u16::try_from(i).unwrap_or(0), *v)
            .map_err(fail)?;
    }
    book.save_to_buffer().map_err(fail)
}
