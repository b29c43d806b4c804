//! The household spreadsheet: its columns (Chinese labels as the county sheets have them, or
//! English keys), reading CSV (UTF-8) and XLSX into rows, and writing the template.
//!
//! One row per member; the household's columns repeat on each member's row; the yearly-record
//! columns are read from the head's row. Money is in yuan with at most two decimals, read
//! exactly into integer fen.

use std::io::{Cursor, Read, Seek, SeekFrom};

use calamine::{Data, Reader as _, Xlsx, open_workbook_from_rs};
use domain::{DomainError, FieldError, Rule};

/// A column of the household sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Column {
    /// English key.
    pub key: &'static str,
    /// Chinese label (the template's header).
    pub label: &'static str,
    /// Must be present in the header.
    pub required: bool,
}

/// A column (for the other sheets' column lists).
pub const fn col(key: &'static str, label: &'static str, required: bool) -> Column {
    Column {
        key,
        label,
        required,
    }
}

/// Every column, in template order.
pub const COLUMNS: &[Column] = &[
    col("household_number", "户编号", true),
    col("village_code", "村代码", true),
    col("address", "地址", false),
    col("residence", "现居住地", false),
    col("attribute", "户属性", true),
    col("poverty_causes", "致贫原因", true),
    col("year_identified", "识别年度", true),
    col("responsible_cadre", "帮扶责任人", false),
    col("notes", "备注", false),
    col("name", "姓名", true),
    col("id_number", "身份证号", true),
    col("relationship", "与户主关系", true),
    col("education", "文化程度", false),
    col("school_status", "在校生状况", false),
    col("health", "健康状况", false),
    col("disability", "残疾情况", false),
    col("labour_ability", "劳动能力", false),
    col("medical_insurance", "参加医保", false),
    col("pension", "参加养老保险", false),
    col("phone", "联系电话", false),
    col("year", "年度", false),
    col("income_per_capita", "人均纯收入(元)", false),
    col("wage_income", "工资性收入(元)", false),
    col("production_income", "生产经营性收入(元)", false),
    col("property_income", "财产性收入(元)", false),
    col("transfer_income", "转移性收入(元)", false),
    col("enough_food", "不愁吃", false),
    col("enough_clothing", "不愁穿", false),
    col("compulsory_education", "义务教育有保障", false),
    col("basic_medical", "基本医疗有保障", false),
    col("safe_housing", "住房安全有保障", false),
    col("safe_drinking_water", "饮水安全有保障", false),
];

/// Largest sheet read within a request (property checks). The imports that run as jobs are
/// bounded where the upload is read instead (`ZX_IMPORT_MAX_BYTES`, default 200 MB).
pub const MAX_BYTES: usize = 20 * 1024 * 1024;
/// Most data rows in a sheet read within a request (property checks), counted while reading:
/// reading stops at the first row over. The imports that run as jobs take the server's
/// setting instead (`ZX_IMPORT_MAX_ROWS`, [`IMPORT_MAX_ROWS`] by default).
pub const MAX_ROWS: usize = 200_000;
/// The default of `ZX_IMPORT_MAX_ROWS`: a county's whole register (100,000 households, about
/// 330,000 member rows) fits three times over; a row read costs about half a kilobyte.
pub const IMPORT_MAX_ROWS: usize = 1_000_000;
/// Most bytes the entries of an XLSX may inflate to, all together, counted while inflating
/// (the sizes the archive declares are checked first but not trusted).
pub const MAX_INFLATED_BYTES: u64 = 256 * 1024 * 1024;
/// Most entries in an XLSX archive.
pub const MAX_ENTRIES: usize = 1_000;
/// Longest cell kept, in bytes: far above every field's own limit (a few hundred characters),
/// so a longer cell is a mistake (a pasted document, a quote never closed) and the row's error,
/// and is never kept in memory whole.
pub const MAX_CELL_BYTES: usize = 16 * 1024;

/// One data row: its 1-based row number in the file (header = 1) and its cells by column key.
#[derive(Debug, Clone)]
pub struct Row {
    /// Row number as the user sees it.
    pub number: u32,
    /// The sheet's columns (`cells` points into them).
    columns: &'static [Column],
    /// The row's non-empty cells, trimmed, one after another: one allocation per row (a
    /// county's file holds hundreds of thousands of rows; a map of strings per row cost about
    /// 2 KB each).
    text: Box<str>,
    /// Each non-empty cell: its column (an index into `columns`) and where it ends in `text`
    /// (it starts where the one before ends).
    cells: Box<[(u8, u32)]>,
    /// What is wrong with the row as read, before any check of its values (column key, or
    /// `column N` for a cell past the header's columns; the message): a row cut off where the
    /// file ends, more cells than the header has columns, a cell past [`MAX_CELL_BYTES`]. Such a
    /// row is refused (with its household) and the others are imported.
    pub problems: Vec<(String, Rule)>,
}

impl Row {
    /// The trimmed cell of `key`, or "".
    pub fn get(&self, key: &str) -> &str {
        let Some(column) = self.columns.iter().position(|c| c.key == key) else {
            return "";
        };
        let mut start = 0;
        for &(c, end) in &self.cells {
            if usize::from(c) == column {
                return self.text.get(start..end as usize).unwrap_or("");
            }
            start = end as usize;
        }
        ""
    }

    /// A row of `number` with these cells, by index into `columns` (trimmed here; empty ones
    /// are left out).
    fn new<'a>(
        number: u32,
        columns: &'static [Column],
        cells: impl Iterator<Item = (u8, &'a str)>,
        problems: Vec<(String, Rule)>,
    ) -> Self {
        let mut text = String::new();
        let mut index = Vec::new();
        for (column, value) in cells {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            text.push_str(value);
            // A row's text is its cells', each at most MAX_CELL_BYTES: it fits in u32.
            index.push((column, u32::try_from(text.len()).unwrap_or(u32::MAX)));
        }
        Self {
            number,
            columns,
            text: text.into_boxed_str(),
            cells: index.into_boxed_slice(),
            problems,
        }
    }
}

/// How a record ended when it is the file's last (CSV only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    /// A line break, or not the last record.
    Whole,
    /// The file ends in the middle of the record without a line break.
    Cut,
    /// The file ends inside a quoted cell of the record's last line.
    InQuote,
}

/// The column of cell `i`, as a row error names it.
fn column_name(columns: &[Option<&'static Column>], i: usize) -> String {
    match columns.get(i) {
        Some(Some(c)) => c.key.to_string(),
        _ => format!("column {}", i + 1),
    }
}

/// What is wrong with a record as read (see [`Row::problems`]).
fn problems_of(
    cells: &[String],
    columns: &[Option<&'static Column>],
    ending: Ending,
) -> Vec<(String, Rule)> {
    let mut out = Vec::new();
    let width = columns.len();
    match ending {
        Ending::InQuote => out.push((
            column_name(columns, cells.len().saturating_sub(1)),
            Rule::other(
                "the file ends inside this quoted cell: it seems cut off here; nothing of this row was imported",
                "文件在此带引号的单元格内结束:文件似乎在此处被截断;本行未导入任何内容",
            ),
        )),
        Ending::Cut if cells.len() < width => out.push((
            column_name(columns, cells.len().saturating_sub(1)),
            Rule::other(
                format!(
                    "the row ends after {} of the header's {width} columns without a line break: the file seems cut off here; nothing of this row was imported",
                    cells.len()
                ),
                format!(
                    "本行只有表头 {width} 列中的 {} 列且没有换行:文件似乎在此处被截断;本行未导入任何内容",
                    cells.len()
                ),
            ),
        )),
        _ => {}
    }
    // Empty cells past the header (trailing commas) are harmless; a value there means the
    // row's cells are shifted (an unquoted comma) or belong to no column.
    if let Some(first) = (width..cells.len()).find(|&i| !cells[i].trim().is_empty()) {
        out.push((
            column_name(columns, first),
            Rule::other(
                format!(
                    "the row has {} cells but the header {width} columns (a cell with an unquoted comma?); nothing of this row was imported",
                    cells.len()
                ),
                format!(
                    "本行有 {} 个单元格,而表头只有 {width} 列(是否有未加引号的逗号?);本行未导入任何内容",
                    cells.len()
                ),
            ),
        ));
    }
    for (i, c) in cells.iter().enumerate() {
        let Some(what) = c.strip_prefix(UNREADABLE) else {
            continue;
        };
        let rule = match what.split_once(':') {
            Some(("digits", n)) => Rule::other(
                format!(
                    "the cell holds a number of {} digits, and a spreadsheet keeps only 15: its last digits are lost; format the column as text and type the value again",
                    n.len()
                ),
                format!(
                    "该单元格是 {} 位的数字,电子表格只保留 15 位,末尾几位已丢失;请将该列设为文本格式后重新录入",
                    n.len()
                ),
            ),
            _ => Rule::other(
                format!(
                    "the cell holds a formula error ({}), not a value",
                    what.trim_start_matches("error:")
                ),
                format!(
                    "该单元格是公式错误({}),不是数值",
                    what.trim_start_matches("error:")
                ),
            ),
        };
        out.push((column_name(columns, i), rule));
    }
    for (i, c) in cells
        .iter()
        .enumerate()
        .filter(|(_, c)| c.len() > MAX_CELL_BYTES)
    {
        out.push((
            column_name(columns, i),
            Rule::other(
                format!(
                    "the cell is {} KB long; a cell may hold at most {} KB",
                    c.len().div_ceil(1024),
                    MAX_CELL_BYTES / 1024
                ),
                format!(
                    "该单元格长 {} KB;每个单元格最多 {} KB",
                    c.len().div_ceil(1024),
                    MAX_CELL_BYTES / 1024
                ),
            ),
        ));
    }
    out
}

fn file_error(rule: Rule) -> DomainError {
    DomainError::Validation(vec![FieldError::new("file", rule)])
}

/// Maps header cells to columns; every header must be known and every required column present.
fn columns_of(
    header: &[String],
    columns: &'static [Column],
) -> Result<Vec<Option<&'static Column>>, DomainError> {
    let mut out = Vec::new();
    let mut errs = Vec::new();
    for (i, h) in header.iter().enumerate() {
        let h = h.trim().trim_start_matches('\u{feff}');
        if h.is_empty() {
            out.push(None);
            continue;
        }
        match columns.iter().find(|c| c.key == h || c.label == h) {
            Some(c) if out.iter().flatten().any(|o: &&Column| o.key == c.key) => {
                errs.push(FieldError::new(
                    format!("column {}", i + 1),
                    domain::Rule::other(format!("{h} appears twice"), format!("{h} 出现了两次")),
                ));
            }
            Some(c) => out.push(Some(c)),
            // A header that is a long number is data: the header row is missing. Never echo it.
            None if h.chars().filter(char::is_ascii_digit).count() >= 6 => {
                errs.push(FieldError::new(
                    format!("column {}", i + 1),
                    domain::Rule::other("holds data where a column name belongs: the header row seems to be missing", "列名位置是数据:似乎缺少表头行"),
                ))
            }
            // Echoed cut to 40 characters: the answer never grows with the input.
            None => errs.push(FieldError::new(
                format!("column {}", i + 1),
                domain::Rule::other(format!(
                    "unknown column {:?}; download the template for the accepted columns",
                    h.chars().take(40).collect::<String>()
                ), format!(
                    "未知列 {:?};请下载模板查看可用的列",
                    h.chars().take(40).collect::<String>()
                )),
            )),
        }
    }
    for c in columns.iter().filter(|c| c.required) {
        if !out.iter().flatten().any(|o| o.key == c.key) {
            errs.push(FieldError::new(
                "header",
                domain::Rule::other(
                    format!("the required column {} ({}) is missing", c.label, c.key),
                    format!("缺少必需的列 {}({})", c.label, c.key),
                ),
            ));
        }
    }
    if errs.is_empty() {
        Ok(out)
    } else {
        Err(DomainError::Validation(errs))
    }
}

/// Rows from records read lazily, each handed to `sink` as it is made: a read error or the
/// row limit stops reading at once. Returns how many rows there were.
fn to_rows(
    records: impl Iterator<Item = Result<(u32, Vec<String>, Ending), DomainError>>,
    all: &'static [Column],
    columns: &[Option<&'static Column>],
    max_rows: usize,
    sink: &mut dyn FnMut(Row),
) -> Result<usize, DomainError> {
    // Each header column's index in `all` (a sheet has a few dozen columns).
    let index: Vec<Option<u8>> = columns
        .iter()
        .map(|c| {
            let c = (*c)?;
            let i = all.iter().position(|a| a.key == c.key)?;
            u8::try_from(i).ok()
        })
        .collect();
    let mut count = 0_usize;
    for record in records {
        let (number, cells, ending) = record?;
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if count >= max_rows {
            return Err(file_error(domain::Rule::other(
                format!("the file has more than {max_rows} rows; split it"),
                format!("文件超过 {max_rows} 行;请拆分"),
            )));
        }
        let problems = problems_of(&cells, columns, ending);
        let kept = cells.iter().enumerate().filter_map(|(i, v)| {
            let column = index.get(i).copied().flatten()?;
            if v.len() > MAX_CELL_BYTES || v.starts_with(UNREADABLE) {
                return None;
            }
            // Undo the export's formula guard (`'=…` back to `=…`).
            let v = match v.strip_prefix('\'') {
                Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
                _ => v.as_str(),
            };
            Some((column, v))
        });
        sink(Row::new(number, all, kept, problems));
        count += 1;
    }
    if count == 0 {
        return Err(file_error(domain::Rule::other(
            "the file has a header but no data rows",
            "文件只有表头,没有数据行",
        )));
    }
    Ok(count)
}

/// Whether the bytes look like an XLSX (a ZIP archive).
pub fn is_xlsx(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// Reads a household sheet (CSV or XLSX) into rows, at most `max_rows` of them. File-level
/// problems (encoding, unknown or missing columns, no rows, not a spreadsheet, too many rows)
/// are refused whole, before anything is written.
///
/// # Errors
/// `Validation` naming `file`, `header` or the offending column.
pub fn parse(bytes: &[u8], max_rows: usize) -> Result<Vec<Row>, DomainError> {
    parse_job(bytes, COLUMNS, max_rows)
}

/// Reads an upload of an import that runs as a job: its size was bounded where it was read
/// (`ZX_IMPORT_MAX_BYTES`), so only the row limit applies here. The request that takes the
/// upload passes `ZX_IMPORT_MAX_ROWS`; the worker that runs the stored file passes
/// `usize::MAX` (the file was accepted once, whatever the setting is now).
///
/// # Errors
/// As [`parse`].
pub fn parse_job(
    bytes: &[u8],
    columns: &'static [Column],
    max_rows: usize,
) -> Result<Vec<Row>, DomainError> {
    parse_limited(bytes, columns, usize::MAX, max_rows)
}

/// Reads a sheet whose columns are `columns` from a file (or anything that reads and seeks)
/// without holding its text: each row goes to `sink` as it is read, and only what `sink` keeps
/// stays (a CSV is read twice: its encoding first, then its rows). As [`parse_job`] otherwise.
/// Returns how many rows there were.
///
/// # Errors
/// As [`parse`]; the source failing to read is `Unexpected`.
pub fn read_job<R: Read + Seek>(
    src: R,
    columns: &'static [Column],
    max_rows: usize,
    sink: &mut dyn FnMut(Row),
) -> Result<usize, DomainError> {
    read_limited(src, columns, usize::MAX, max_rows, sink)
}

/// Reads a CSV or XLSX upload whose columns are `columns` (another sheet than households').
///
/// # Errors
/// As [`parse`].
pub fn parse_with(bytes: &[u8], columns: &'static [Column]) -> Result<Vec<Row>, DomainError> {
    parse_limited(bytes, columns, MAX_BYTES, MAX_ROWS)
}

fn parse_limited(
    bytes: &[u8],
    columns: &'static [Column],
    max_bytes: usize,
    max_rows: usize,
) -> Result<Vec<Row>, DomainError> {
    let mut rows = Vec::new();
    read_limited(
        Cursor::new(bytes),
        columns,
        max_bytes,
        max_rows,
        &mut |r: Row| {
            rows.push(r);
        },
    )?;
    Ok(rows)
}

/// A failure to read the source itself (not its content).
fn io_error(e: &std::io::Error) -> DomainError {
    DomainError::Unexpected(anyhow::anyhow!("reading the sheet: {e}"))
}

fn read_limited<R: Read + Seek>(
    mut src: R,
    columns: &'static [Column],
    max_bytes: usize,
    max_rows: usize,
    sink: &mut dyn FnMut(Row),
) -> Result<usize, DomainError> {
    let size = src.seek(SeekFrom::End(0)).map_err(|e| io_error(&e))?;
    if size == 0 {
        return Err(file_error(domain::Rule::other(
            "the file is empty",
            "文件为空",
        )));
    }
    if size > u64::try_from(max_bytes).unwrap_or(u64::MAX) {
        return Err(file_error(domain::Rule::other(
            format!("the file is larger than {} MB", max_bytes / 1024 / 1024),
            format!("文件超过 {} MB", max_bytes / 1024 / 1024),
        )));
    }
    src.seek(SeekFrom::Start(0)).map_err(|e| io_error(&e))?;
    let mut head = Vec::with_capacity(4);
    src.by_ref()
        .take(4)
        .read_to_end(&mut head)
        .map_err(|e| io_error(&e))?;
    src.seek(SeekFrom::Start(0)).map_err(|e| io_error(&e))?;
    if is_xlsx(&head) {
        parse_xlsx(src, columns, max_rows, sink)
    } else {
        text::parse_csv(src, columns, max_rows, sink)
    }
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        // Whole numbers print without ".0". A number of 16 digits or more (a household number
        // or an ID number stored as a number) lost its last digits already (Excel keeps 15):
        // read as it shows, it would name another household, so the row is refused.
        Data::Float(f) if f.abs() >= 1e15 => format!("{UNREADABLE}digits:{f:.0}"),
        Data::Float(f) if f.fract() == 0.0 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => {
            if *b {
                "是".into()
            } else {
                "否".into()
            }
        }
        // A date typed into an ordinary cell (or pasted from another sheet) is stored as a day
        // number with a date format: its text is the date (`2024-03-15`), with the time of day
        // when it has one. A duration or a time of day alone stays a number, which no date
        // column takes.
        Data::DateTime(dt) if dt.is_datetime() && dt.as_f64() >= 1.0 => {
            let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
            if (h, mi, s) == (0, 0, 0) {
                format!("{y:04}-{mo:02}-{d:02}")
            } else {
                format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
            }
        }
        Data::DateTime(dt) => dt.as_f64().to_string(),
        // A formula's error (#N/A, #DIV/0!) is no value: refused, not stored as its text.
        Data::Error(e) => format!("{UNREADABLE}error:{e}"),
    }
}

/// Starts the text of a cell that cannot be taken as it reads (see [`cell_text`]); a workbook's
/// text never holds U+0000, and a CSV holding it is refused whole, so nothing else starts so.
/// [`problems_of`] refuses the row naming the cell.
const UNREADABLE: char = '\0';

/// Refuses an archive that inflates past [`MAX_INFLATED_BYTES`] (a zip bomb) or has more than
/// [`MAX_ENTRIES`] entries: the declared sizes first, then the bytes actually inflated, counted
/// while reading and stopped at the limit.
fn check_inflated<R: Read + Seek>(src: R) -> Result<(), DomainError> {
    let unreadable = || {
        file_error(domain::Rule::other(
            "the file is not a readable XLSX workbook",
            "文件不是可读取的 XLSX 工作簿",
        ))
    };
    let too_big = || {
        file_error(domain::Rule::other(
            format!(
                "the workbook inflates to more than {} MB; split it or save it again",
                MAX_INFLATED_BYTES / 1024 / 1024
            ),
            format!(
                "工作簿解压后超过 {} MB;请拆分或重新保存",
                MAX_INFLATED_BYTES / 1024 / 1024
            ),
        ))
    };
    let mut zip = zip::ZipArchive::new(src).map_err(|_| unreadable())?;
    if zip.len() > MAX_ENTRIES {
        return Err(file_error(domain::Rule::other(
            format!("the workbook has more than {MAX_ENTRIES} parts"),
            format!("工作簿的组成部分超过 {MAX_ENTRIES} 个"),
        )));
    }
    let mut declared: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|_| unreadable())?;
        declared = declared.saturating_add(entry.size());
    }
    if declared > MAX_INFLATED_BYTES {
        return Err(too_big());
    }
    let mut left = MAX_INFLATED_BYTES;
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|_| unreadable())?;
        let n = std::io::copy(&mut entry.take(left + 1), &mut std::io::sink())
            .map_err(|_| unreadable())?;
        if n > left {
            return Err(too_big());
        }
        left -= n;
    }
    Ok(())
}

/// Puts `text` at column `col` (relative to the sheet's first column `offset`).
fn put(cells: &mut Vec<String>, col: u32, offset: u32, text: String) {
    let Some(i) = col
        .checked_sub(offset)
        .and_then(|i| usize::try_from(i).ok())
    else {
        return;
    };
    if cells.len() <= i {
        cells.resize(i + 1, String::new());
    }
    cells[i] = text;
}

/// Reads the first worksheet cell by cell (never the whole sheet at once), so the row limit
/// stops reading at the first row over it.
fn parse_xlsx<R: Read + Seek>(
    mut src: R,
    columns: &'static [Column],
    max_rows: usize,
    sink: &mut dyn FnMut(Row),
) -> Result<usize, DomainError> {
    let all = columns;
    check_inflated(&mut src)?;
    src.seek(SeekFrom::Start(0)).map_err(|e| io_error(&e))?;
    let mut book: Xlsx<_> = open_workbook_from_rs(std::io::BufReader::new(src)).map_err(|_| {
        file_error(domain::Rule::other(
            "the file is not a readable XLSX workbook",
            "文件不是可读取的 XLSX 工作簿",
        ))
    })?;
    let name = book.sheet_names().first().cloned().ok_or_else(|| {
        file_error(domain::Rule::other(
            "the workbook has no worksheet",
            "工作簿中没有工作表",
        ))
    })?;
    // Merged cells (merged::Merged), read first: a pass over the sheet's XML, which lists them
    // after its rows; an unreadable list is none.
    let regions = book.merge_cells_by_sheet_name(&name).unwrap_or_default();
    let mut reader = book.worksheet_cells_reader(&name).map_err(|_| {
        file_error(domain::Rule::other(
            "the first worksheet cannot be read",
            "无法读取第一个工作表",
        ))
    })?;
    // (row, column, text) of the next cell; nothing once the sheet's data has ended.
    let mut ended = false;
    let mut next = move || -> Result<Option<(u32, u32, String)>, DomainError> {
        if ended {
            return Ok(None);
        }
        match reader.next_cell() {
            Ok(Some(c)) => {
                let (r, col) = c.get_position();
                Ok(Some((
                    r,
                    col,
                    cell_text(&Data::from(c.get_value().clone())),
                )))
            }
            Ok(None) => {
                ended = true;
                Ok(None)
            }
            Err(_) => Err(file_error(domain::Rule::other(
                "the first worksheet cannot be read",
                "无法读取第一个工作表",
            ))),
        }
    };
    let (header_row, offset, first) = next()?
        .ok_or_else(|| file_error(domain::Rule::other("the worksheet is empty", "工作表为空")))?;
    let mut header = Vec::new();
    put(&mut header, offset, offset, first);
    let mut carry = loop {
        match next()? {
            Some((r, c, t)) if r == header_row => put(&mut header, c, offset, t),
            other => break other,
        }
    };
    let columns = columns_of(&header, columns)?;
    let mut merged = merged::Merged::new(regions, header_row);
    let records = std::iter::from_fn(|| {
        let (r, c, t) = match carry.take() {
            Some(cell) => cell,
            None => match next() {
                Ok(Some(cell)) => cell,
                Ok(None) => return None,
                Err(e) => return Some(Err(e)),
            },
        };
        let mut cells = Vec::new();
        put(&mut cells, c, offset, t);
        loop {
            match next() {
                Ok(Some((r2, c2, t2))) if r2 == r => put(&mut cells, c2, offset, t2),
                Ok(other) => {
                    carry = other;
                    break;
                }
                Err(e) => return Some(Err(e)),
            }
        }
        merged.fill(r, offset, &mut cells);
        Some(Ok((r.saturating_add(1), cells, Ending::Whole)))
    });
    to_rows(records, all, &columns, max_rows, sink)
}

/// Yuan with at most two decimals (`4200`, `4,200.5`, `4200.50`) to fen, exactly.
///
/// # Errors
/// A message when it is not such an amount.
pub fn yuan_to_fen(text: &str) -> Result<i64, domain::Rule> {
    let t = text.trim().replace([',', '，'], "");
    let bad = || {
        domain::Rule::other(
            "must be an amount in yuan with at most two decimals",
            "必须是以元为单位的金额,最多两位小数",
        )
    };
    if t.starts_with('-') {
        return Err(domain::Rule::NotNegative);
    }
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 2
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let whole: i64 = whole.parse().map_err(|_| bad())?;
    let frac: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
    whole
        .checked_mul(100)
        .and_then(|w| w.checked_add(frac))
        .ok_or_else(bad)
}

/// 是/否, yes/no, true/false, 1/0; empty is `None`.
///
/// # Errors
/// A message for anything else.
pub fn yes_no(text: &str) -> Result<Option<bool>, domain::Rule> {
    match text.trim().to_lowercase().as_str() {
        "" => Ok(None),
        "是" | "有" | "y" | "yes" | "true" | "1" => Ok(Some(true)),
        "否" | "无" | "n" | "no" | "false" | "0" => Ok(Some(false)),
        _ => Err(domain::Rule::other("must be 是 or 否", "必须是“是”或“否”")),
    }
}

mod merged;
mod text;
mod write;
pub use write::{
    FORMULA_STARTS, guard, table_csv, table_xlsx, template_csv, template_csv_of, template_xlsx,
    template_xlsx_of,
};

#[cfg(test)]
mod tests;
