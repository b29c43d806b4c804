//! Reading a CSV from a file without holding its text: a first pass checks the encoding (UTF-8,
//! no NUL) and how the file ends, a second reads the records one by one. Only the last
//! record's tail is looked at again (a quote opened there and never closed).

use std::io::{Read, Seek, SeekFrom};

use domain::DomainError;

use super::{Column, Ending, Row, columns_of, file_error, io_error, to_rows};

/// Bytes read at a time by the passes over the file.
const CHUNK: usize = 64 * 1024;

/// The longest record read (4 MiB: a row of sixty cells at [`super::MAX_CELL_BYTES`] is under
/// one). The CSV reader holds a record whole, and each cell of it twice: a file that is one
/// 200 MB line, a line of millions of commas, or a quote opened at the top that makes the rest
/// of the file one cell, would take gigabytes of the server's memory while the upload is
/// checked.
pub(super) const MAX_LINE_BYTES: usize = 4 * 1024 * 1024;

/// The most commas (cells) one record may hold: a row of 200 cells is far under it, and a
/// header of 100,000 unknown columns still reads (and is answered column by column, briefly);
/// millions are refused.
pub(super) const MAX_LINE_COMMAS: usize = 200_000;

/// What the first pass learnt of the text beside its being UTF-8.
#[derive(Debug, Clone, Copy)]
struct Text {
    /// It ends with a line break outside a quoted cell.
    ends_with_break: bool,
    /// Its lines end with CR LF (Windows, Excel's "CSV UTF-8"): the reader stops a record at
    /// the CR and reads the LF with the next one.
    crlf: bool,
}

/// Where a cell being read stands, as the CSV reader reads it: a quote opens a quoted cell
/// only at a cell's start; inside one a doubled quote is a quote, and line breaks and commas
/// belong to the cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cell {
    Start,
    Plain,
    Quoted,
    QuoteSeen,
}

/// The record being read, byte by byte: how long it is and how many cells it has so far.
#[derive(Debug)]
struct Scan {
    cell: Cell,
    line: u64,
    start_line: u64,
    length: usize,
    commas: usize,
    crlf: bool,
    after_cr: bool,
}

impl Scan {
    fn new() -> Self {
        Self {
            cell: Cell::Start,
            line: 1,
            start_line: 1,
            length: 0,
            commas: 0,
            crlf: false,
            after_cr: false,
        }
    }

    /// Reads one byte; whether the record is now over a limit.
    fn byte(&mut self, b: u8) -> bool {
        if b == b'\n' {
            self.line += 1;
            self.crlf |= self.after_cr;
        }
        self.after_cr = b == b'\r';
        match (self.cell, b) {
            (Cell::Quoted, b'"') => self.cell = Cell::QuoteSeen,
            (Cell::Quoted, _) => {}
            (Cell::QuoteSeen, b'"') => self.cell = Cell::Quoted,
            (_, b'\n' | b'\r') => {
                (self.cell, self.length, self.commas) = (Cell::Start, 0, 0);
                self.start_line = self.line;
                return false;
            }
            (_, b',') => {
                self.cell = Cell::Start;
                self.commas += 1;
            }
            (Cell::Start, b'"') => self.cell = Cell::Quoted,
            (Cell::Start | Cell::QuoteSeen | Cell::Plain, _) => self.cell = Cell::Plain,
        }
        self.length += 1;
        self.length > MAX_LINE_BYTES || self.commas > MAX_LINE_COMMAS
    }
}

/// Checks the whole source is UTF-8 text without NUL and no record past the limits, chunk by
/// chunk. A source that is not UTF-8 is read once more to tell GBK/GB18030 (a message of its
/// own: the county sheets are often saved so) from anything else.
fn check_text<R: Read + Seek>(src: &mut R) -> Result<Text, DomainError> {
    let mut buf = vec![0_u8; CHUNK];
    // Bytes of a character cut by the end of the previous chunk (at most 3).
    let mut carry: Vec<u8> = Vec::with_capacity(4);
    let mut last = None;
    let mut valid = true;
    let mut nul = false;
    let mut scan = Scan::new();
    loop {
        let n = src.read(&mut buf).map_err(|e| io_error(&e))?;
        if n == 0 {
            break;
        }
        last = buf[..n].last().copied();
        nul |= buf[..n].contains(&0);
        for &b in &buf[..n] {
            if scan.byte(b) {
                let line = scan.start_line;
                return Err(file_error(domain::Rule::other(
                    format!(
                        "the row starting on line {line} is longer than {} MB or holds more than {MAX_LINE_COMMAS} commas (a quote opened and never closed makes the rest of the file one cell): no row of a register is, so the file cannot be read; check how it was saved",
                        MAX_LINE_BYTES / 1024 / 1024
                    ),
                    format!(
                        "从第 {line} 行开始的一行超过 {} MB 或含有超过 {MAX_LINE_COMMAS} 个逗号(未闭合的引号会使其后全部内容成为一个单元格):登记表中没有这样的行,文件无法读取;请检查文件的保存方式",
                        MAX_LINE_BYTES / 1024 / 1024
                    ),
                )));
            }
        }
        let mut piece = std::mem::take(&mut carry);
        piece.extend_from_slice(&buf[..n]);
        match std::str::from_utf8(&piece) {
            Ok(_) => {}
            Err(e) if e.error_len().is_none() => carry = piece[e.valid_up_to()..].to_vec(),
            Err(_) => {
                valid = false;
                break;
            }
        }
    }
    if !valid || !carry.is_empty() {
        return Err(file_error(if is_gb18030(src)? {
            domain::Rule::other(
                "the file is encoded as GBK/GB18030; save it as \"CSV UTF-8\" or as XLSX and upload again",
                "文件编码为 GBK/GB18030;请另存为“CSV UTF-8”或 XLSX 后重新上传",
            )
        } else {
            domain::Rule::other(
                "the file is neither UTF-8 text nor an XLSX workbook",
                "文件既不是 UTF-8 文本,也不是 XLSX 工作簿",
            )
        }));
    }
    if nul {
        return Err(file_error(domain::Rule::other(
            "the file is not a text CSV",
            "文件不是文本 CSV",
        )));
    }
    Ok(Text {
        ends_with_break: matches!(last, Some(b'\n' | b'\r')) && scan.cell != Cell::Quoted,
        crlf: scan.crlf,
    })
}

/// Whether the whole source decodes as GB18030 without a malformed sequence.
fn is_gb18030<R: Read + Seek>(src: &mut R) -> Result<bool, DomainError> {
    use encoding_rs::DecoderResult;
    src.seek(SeekFrom::Start(0)).map_err(|e| io_error(&e))?;
    let mut decoder = encoding_rs::GB18030.new_decoder();
    let mut buf = vec![0_u8; CHUNK];
    let mut out = vec![0_u8; CHUNK * 3 + 16];
    loop {
        let n = src.read(&mut buf).map_err(|e| io_error(&e))?;
        let end = n == 0;
        let mut input = &buf[..n];
        loop {
            let (result, read, _) =
                decoder.decode_to_utf8_without_replacement(input, &mut out, end);
            input = &input[read..];
            match result {
                DecoderResult::Malformed(..) => return Ok(false),
                DecoderResult::OutputFull => {}
                DecoderResult::InputEmpty => break,
            }
        }
        if end {
            return Ok(true);
        }
    }
}

/// What the tail of the file from `from` holds: whether its quotes are odd (a quoted cell
/// opened and never closed), and whether it spans more than one line once its trailing line
/// breaks are left aside.
fn tail_of<R: Read + Seek>(src: &mut R, from: u64) -> Result<(bool, bool), DomainError> {
    src.seek(SeekFrom::Start(from)).map_err(|e| io_error(&e))?;
    let mut buf = vec![0_u8; CHUNK];
    let (mut quotes, mut broke, mut lines) = (0_u64, false, false);
    loop {
        let n = src.read(&mut buf).map_err(|e| io_error(&e))?;
        if n == 0 {
            return Ok((quotes % 2 == 1, lines));
        }
        for &b in &buf[..n] {
            match b {
                b'"' => {
                    quotes += 1;
                    lines |= broke;
                }
                b'\n' => broke = true,
                b'\r' => {}
                _ => lines |= broke,
            }
        }
    }
}

/// A CSV record's number as the user sees it (the header is row 1).
fn number_of(i: usize) -> u32 {
    u32::try_from(i + 2).unwrap_or(u32::MAX)
}

fn record_error(number: u32, e: &csv::Error) -> DomainError {
    file_error(domain::Rule::other(
        format!("row {number}: {e}"),
        format!("第 {number} 行:{e}"),
    ))
}

/// Reads a CSV whose columns are `columns`, each row to `sink`.
pub(super) fn parse_csv<R: Read + Seek>(
    mut src: R,
    columns: &'static [Column],
    max_rows: usize,
    sink: &mut dyn FnMut(Row),
) -> Result<usize, DomainError> {
    let all = columns;
    let text = check_text(&mut src)?;
    let cut = !text.ends_with_break;
    src.seek(SeekFrom::Start(0)).map_err(|e| io_error(&e))?;
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(src);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| {
            file_error(domain::Rule::other(
                format!("cannot read the header: {e}"),
                format!("无法读取表头:{e}"),
            ))
        })?
        .iter()
        .map(str::to_owned)
        .collect();
    let columns = columns_of(&header, columns)?;
    // The reader until the last record is read (then its source, to look at the tail), and
    // the record read ahead to know whether the current one is the last.
    let mut reader = Some(reader);
    let mut ahead: Option<Result<(csv::StringRecord, u64), csv::Error>> = None;
    let mut i = 0_usize;
    // Line breaks inside the cells of the records read so far: a spreadsheet shows such a
    // record as one row, so a record's row is its first line less those before it.
    let mut inner_breaks = 0_u64;
    let records = std::iter::from_fn(move || {
        let r = reader.as_mut()?;
        // A record with the reader's line once it is read (past the line break ending it; the
        // record's own position is where the reader stood, before any blank line it skipped).
        let read = |r: &mut csv::Reader<R>| {
            let mut rec = csv::StringRecord::new();
            r.read_record(&mut rec)
                .map(|more| more.then(|| (rec, r.position().line())))
        };
        let counted = number_of(i);
        i += 1;
        let (rec, line_after) = match ahead.take() {
            Some(Ok(read)) => read,
            Some(Err(e)) => return Some(Err(record_error(counted, &e))),
            None => match read(r) {
                Ok(Some(read)) => read,
                Ok(None) => return None,
                Err(e) => return Some(Err(record_error(counted, &e))),
            },
        };
        inner_breaks += rec
            .iter()
            .map(|c| u64::try_from(c.bytes().filter(|b| *b == b'\n').count()).unwrap_or(0))
            .sum::<u64>();
        let last = match read(r) {
            Ok(None) => true,
            Ok(Some(next)) => {
                ahead = Some(Ok(next));
                false
            }
            Err(e) => {
                ahead = Some(Err(e));
                false
            }
        };
        // The row as a spreadsheet shows the file: blank lines count (the reader skips them),
        // a cell's own line breaks do not. The record's last line is the one before the
        // reader's, unless its line break was not read with it (CR LF: the LF comes with the
        // next record) or it has none (the file ends on it). (Lines are counted at line feeds:
        // a file broken by carriage returns alone is numbered by its records.)
        let last_line = if text.crlf || (last && cut) {
            line_after
        } else {
            line_after.saturating_sub(1)
        };
        let number = u32::try_from(last_line.saturating_sub(inner_breaks))
            .map_or(counted, |n| n.max(counted));
        let cells: Vec<String> = rec.iter().map(str::to_owned).collect();
        if !last {
            return Some(Ok((number, cells, Ending::Whole)));
        }
        // The last record from its first byte: an odd number of quotes means a quoted cell
        // was opened and never closed, and the reader took everything after it as that cell.
        let from = rec.position().map_or(0, csv::Position::byte);
        let mut src = reader.take()?.into_inner();
        let (odd, lines) = match tail_of(&mut src, from) {
            Ok(t) => t,
            Err(e) => return Some(Err(e)),
        };
        let ending = if odd {
            if lines {
                // Lines after this one were swallowed: the rest of the file cannot be read.
                return Some(Err(file_error(domain::Rule::other(
                    format!(
                        "row {number}: a quote (\") opened in this row is never closed, so every line after it was read as one cell; close or remove it and upload again"
                    ),
                    format!(
                        "第 {number} 行:本行的引号(\")没有闭合,其后各行都被读成了同一个单元格;请补上或删去引号后重新上传"
                    ),
                ))));
            }
            Ending::InQuote
        } else if cut {
            Ending::Cut
        } else {
            Ending::Whole
        };
        Some(Ok((number, cells, ending)))
    });
    to_rows(records, all, &columns, max_rows, sink)
}
