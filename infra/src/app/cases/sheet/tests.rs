use super::*;

#[test]
fn money_and_flags() {
    assert_eq!(yuan_to_fen("4200"), Ok(420_000));
    assert_eq!(yuan_to_fen("4,200.5"), Ok(420_050));
    assert_eq!(yuan_to_fen("0.07"), Ok(7));
    assert!(yuan_to_fen("-1").is_err());
    assert!(yuan_to_fen("1.234").is_err());
    assert!(yuan_to_fen("abc").is_err());
    assert_eq!(yes_no("是"), Ok(Some(true)));
    assert_eq!(yes_no(" 否 "), Ok(Some(false)));
    assert_eq!(yes_no(""), Ok(None));
    assert!(yes_no("maybe").is_err());
}

#[test]
fn rows_broken_as_read_carry_their_problem_and_the_others_none() {
    const FOUR: &[Column] = &[
        col("household_number", "户编号", true),
        col("village_code", "村代码", false),
        col("address", "地址", false),
        col("attribute", "户属性", false),
    ];
    let head = "户编号,村代码,地址,户属性";
    let problems = |csv: &str| -> Vec<(u32, Vec<(String, String)>)> {
        parse_job(csv.as_bytes(), FOUR, MAX_ROWS)
            .unwrap_or_else(|e| panic!("{e:?}"))
            .into_iter()
            .map(|r| {
                let english = r
                    .problems
                    .into_iter()
                    .map(|(c, rule)| (c, rule.message(domain::Lang::En)))
                    .collect();
                (r.number, english)
            })
            .collect()
    };
    // Cut mid-row: the last line, short and without a line break.
    let p = problems(&format!("{head}\nH1,1,a,b\nH2,1"));
    assert!(p[0].1.is_empty(), "{p:?}");
    assert_eq!(p[1].0, 3);
    assert_eq!(p[1].1[0].0, "village_code");
    assert!(p[1].1[0].1.contains("cut off"), "{p:?}");
    // Short with a line break, or short in the middle: not cut (trailing cells omitted).
    assert!(
        problems(&format!("{head}\nH1,1\nH2,1,a,b\n"))
            .iter()
            .all(|(_, p)| p.is_empty())
    );
    // The file ends inside a quoted cell of its last line.
    let p = problems(&format!("{head}\nH1,1,a,b\nH2,1,\"a"));
    assert_eq!(p[1].1[0].0, "address");
    assert!(p[1].1[0].1.contains("quoted cell"), "{p:?}");
    // A quote never closed mid-file: the file.
    let e = parse_job(
        format!("{head}\nH1,1,\"a,b\nH2,1,a,b\n").as_bytes(),
        FOUR,
        MAX_ROWS,
    );
    assert!(
        format!("{e:?}").contains("row 2") && format!("{e:?}").contains("never closed"),
        "{e:?}"
    );
    // Values past the header; empty trailing cells are fine.
    let p = problems(&format!("{head}\nH1,1,a,b,,,\nH2,1,a,b,,x,y\n"));
    assert!(p[0].1.is_empty(), "{p:?}");
    assert_eq!(p[1].1[0].0, "column 6");
    // A giant cell: the problem, and the cell is not kept.
    let big = "x".repeat(MAX_CELL_BYTES + 1);
    let rows = parse_job(format!("{head}\nH1,1,{big},b\n").as_bytes(), FOUR, MAX_ROWS)
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(rows[0].problems[0].0, "address");
    assert_eq!(rows[0].get("address"), "");
    // Rows are numbered as a spreadsheet shows the file: a blank line is a row, a line break
    // inside a quoted cell is not (H1 row 2, a blank row 3, H2 row 4 over two lines, H3 row 5).
    let numbers: Vec<u32> = problems(&format!("{head}\nH1,1,a,b\n\nH2,1,\"x\ny\",b\nH3,1,a,b\n"))
        .iter()
        .map(|(n, _)| *n)
        .collect();
    assert_eq!(numbers, vec![2, 4, 5]);
    // The same with CR LF line breaks (Excel's "CSV UTF-8" on Windows).
    let numbers: Vec<u32> = problems(&format!(
        "{head}\r\nH1,1,a,b\r\n\r\nH2,1,\"x\r\ny\",b\r\nH3,1,a,b\r\n"
    ))
    .iter()
    .map(|(n, _)| *n)
    .collect();
    assert_eq!(numbers, vec![2, 4, 5]);
    // Lines broken by carriage returns alone: counted by records.
    let numbers: Vec<u32> = problems(&format!("{head}\rH1,1,a,b\rH2,1,a,b\r"))
        .iter()
        .map(|(n, _)| *n)
        .collect();
    assert_eq!(numbers, vec![2, 3]);
}

#[test]
fn files_are_refused_whole_for_file_level_problems() {
    let field = |r: Result<Vec<Row>, DomainError>| match r {
        Err(DomainError::Validation(e)) => e[0].rule.to_string(),
        _ => String::new(),
    };
    assert!(field(parse(b"", MAX_ROWS)).contains("empty"));
    let gbk = encoding_rs::GBK
        .encode("户编号,村代码\n1,2\n")
        .0
        .into_owned();
    assert!(field(parse(&gbk, MAX_ROWS)).contains("GBK"));
    let garbage: Vec<u8> = (0..10_000_u32)
        .map(|i| u8::try_from((i * 7919) % 251).unwrap_or(0))
        .collect();
    assert!(!field(parse(&garbage, MAX_ROWS)).is_empty());
    let unknown = "户编号,村代码,户属性,致贫原因,识别年度,姓名,身份证号,与户主关系,星座\n";
    assert!(field(parse(unknown.as_bytes(), MAX_ROWS)).contains("unknown column"));
    assert!(field(parse("姓名\n张三\n".as_bytes(), MAX_ROWS)).contains("missing"));
    let header_only = COLUMNS
        .iter()
        .map(|c| c.label)
        .collect::<Vec<_>>()
        .join(",");
    assert!(field(parse(header_only.as_bytes(), MAX_ROWS)).contains("no data rows"));
    assert!(field(parse(b"PK\x03\x04garbage", MAX_ROWS)).contains("XLSX"));
    let headerless = "3708310010030001,370831001003,370831198001010015\n";
    let message = field(parse(headerless.as_bytes(), MAX_ROWS));
    assert!(
        message.contains("header row") && !message.contains("3708311980"),
        "{message}"
    );
}

#[test]
fn templates_parse_back() {
    let rows = parse(&template_csv(), MAX_ROWS).unwrap_or_default();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get("id_number"), "370831198001010015");
    assert_eq!(rows[0].number, 2);
    let rows = parse(&template_xlsx().unwrap_or_default(), MAX_ROWS).unwrap_or_default();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get("household_number"), "3708310010030001");
    assert_eq!(rows[0].get("income_per_capita"), "4200.50");
}

/// Read from a file in chunks (`read_job`), a file larger than a chunk with characters cut by
/// the chunks' ends reads as it does from memory, row for row; GBK and a NUL are told apart as
/// before; only the rows are kept.
#[test]
fn a_file_is_read_in_chunks_as_it_is_from_memory() {
    use std::io::Write as _;
    const TWO: &[Column] = &[
        col("household_number", "户编号", true),
        col("address", "地址", false),
    ];
    let mut csv = String::from("户编号,地址\n");
    for i in 0..20_000 {
        // Odd lengths of three-byte characters: chunk ends fall inside them.
        csv.push_str(&format!("H{i},{}\n", "村".repeat(1 + i % 7)));
    }
    csv.push_str("H-last,\"未闭合");
    assert!(csv.len() > 4 * 64 * 1024);
    let path = std::env::temp_dir().join(format!("zx-sheet-{}.csv", uuid::Uuid::new_v4()));
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(csv.as_bytes()))
        .unwrap_or_else(|e| panic!("{e}"));
    let mut from_file = Vec::new();
    let n = std::fs::File::open(&path)
        .map_err(|e| DomainError::Unexpected(anyhow::anyhow!(e)))
        .and_then(|f| {
            read_job(std::io::BufReader::new(f), TWO, MAX_ROWS, &mut |r: Row| {
                from_file.push(r);
            })
        })
        .unwrap_or_else(|e| panic!("{e:?}"));
    let _ = std::fs::remove_file(&path);
    let from_memory = parse_job(csv.as_bytes(), TWO, MAX_ROWS).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(n, 20_001);
    assert_eq!(from_file.len(), from_memory.len());
    for (a, b) in from_file.iter().zip(&from_memory) {
        assert_eq!(
            (a.number, a.get("household_number"), a.get("address")),
            (b.number, b.get("household_number"), b.get("address"))
        );
    }
    assert_eq!(from_file[19_998].get("address"), "村".repeat(7));
    // The last line ends inside a quoted cell: its own problem, found from the file's tail.
    let last = &from_file[20_000];
    assert_eq!(last.number, 20_002);
    assert!(
        last.problems
            .iter()
            .any(|(c, r)| c == "address" && r.message(domain::Lang::En).contains("quoted cell")),
        "{:?}",
        last.problems
    );
    // Counting only (what the request does): nothing kept, the same count.
    let counted = read_job(
        std::io::Cursor::new(csv.as_bytes()),
        TWO,
        MAX_ROWS,
        &mut |_: Row| {},
    )
    .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(counted, n);
    // A large GBK file, and a NUL far past the first chunk.
    let gbk = encoding_rs::GBK.encode(&csv).0.into_owned();
    let e = read_job(std::io::Cursor::new(gbk), TWO, MAX_ROWS, &mut |_: Row| {});
    assert!(format!("{e:?}").contains("GBK"), "{e:?}");
    let mut nul = csv.clone().into_bytes();
    let at = 300_000
        + csv.as_bytes()[300_000..]
            .iter()
            .position(|&b| b == b'\n')
            .unwrap_or(0);
    nul[at] = 0;
    let e = read_job(std::io::Cursor::new(nul), TWO, MAX_ROWS, &mut |_: Row| {});
    assert!(format!("{e:?}").contains("not a text CSV"), "{e:?}");
}

#[test]
fn a_date_cell_reads_as_the_date_it_shows() {
    use calamine::{ExcelDateTime, ExcelDateTimeType};
    let cell = |v: f64, kind, is_1904| Data::DateTime(ExcelDateTime::new(v, kind, is_1904));
    // 15 March 2024, typed into an ordinary cell of Excel or WPS (the 1900 day count).
    assert_eq!(
        cell_text(&cell(45366.0, ExcelDateTimeType::DateTime, false)),
        "2024-03-15"
    );
    // The same day in a workbook counting from 1904 (older Mac files), and with a time.
    assert_eq!(
        cell_text(&cell(43904.0, ExcelDateTimeType::DateTime, true)),
        "2024-03-15"
    );
    assert_eq!(
        cell_text(&cell(45366.5, ExcelDateTimeType::DateTime, false)),
        "2024-03-15 12:00:00"
    );
    // A time of day alone, or a duration, is no date: its number, which a date column refuses.
    assert_eq!(
        cell_text(&cell(0.5, ExcelDateTimeType::DateTime, false)),
        "0.5"
    );
    assert_eq!(
        cell_text(&cell(2.0, ExcelDateTimeType::TimeDelta, false)),
        "2"
    );
}

#[test]
fn a_long_number_or_an_error_cell_refuses_its_row() {
    const ONE: &[Column] = &[col("household_number", "户编号", true)];
    let problem = |d: Data| {
        let p = problems_of(&[cell_text(&d)], &[Some(&ONE[0])], Ending::Whole);
        assert_eq!(p.len(), 1, "{d:?}: {p:?}");
        assert_eq!(p[0].0, "household_number");
        p[0].1.message(domain::Lang::En)
    };
    // 3708310010030011 typed into a number cell is stored as 3708310010030010: refused, not
    // read as another household's number.
    assert!(problem(Data::Float(3_708_310_010_030_011.0)).contains("16 digits"));
    assert!(
        problem(Data::Error(calamine::CellErrorType::Div0)).contains("#DIV/0!"),
        "{}",
        problem(Data::Error(calamine::CellErrorType::Div0))
    );
    // 15 digits and fewer read as they show.
    assert_eq!(
        cell_text(&Data::Float(370_831_001_003_001.0)),
        "370831001003001"
    );
    assert!(
        problems_of(
            &[cell_text(&Data::Float(4200.0))],
            &[Some(&ONE[0])],
            Ending::Whole
        )
        .is_empty()
    );
}

/// A register with 户编号 and the household's columns merged down its member rows (how many
/// counties keep them): each member row reads the household's values, so the household is
/// imported whole instead of its head alone and the others refused as numberless.
#[test]
fn merged_cells_down_a_households_rows_read_on_every_row() {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let header = [
        "户编号",
        "村代码",
        "户属性",
        "致贫原因",
        "识别年度",
        "姓名",
        "身份证号",
        "与户主关系",
    ];
    for (c, h) in header.iter().enumerate() {
        let c = u16::try_from(c).unwrap_or(0);
        sheet
            .write_string(0, c, *h)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let plain = rust_xlsxwriter::Format::new();
    // Household A: three member rows (1–3) and a cleared one (4), its first five columns merged
    // down all four: the cleared row stays blank (skipped), not a row of A's values alone.
    for (c, v) in [
        "3708310010030001",
        "370831001003",
        "一般贫困户",
        "因病",
        "2015",
    ]
    .iter()
    .enumerate()
    {
        let c = u16::try_from(c).unwrap_or(0);
        sheet
            .merge_range(1, c, 4, c, v, &plain)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    for (r, (name, id, rel)) in [
        ("王秀英", "370831198001010015", "户主"),
        ("李明", "370831198201010021", "配偶"),
        ("李小", "370831201001010037", "之子"),
    ]
    .iter()
    .enumerate()
    {
        let r = u32::try_from(r + 1).unwrap_or(0);
        for (c, v) in [(5, *name), (6, *id), (7, *rel)] {
            sheet
                .write_string(r, c, v)
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }
    // Household B on row 5, unmerged: not filled from A.
    for (c, v) in [
        "3708310010030002",
        "370831001003",
        "一般贫困户",
        "缺资金",
        "2016",
        "赵四",
        "370831197001010042",
        "户主",
    ]
    .iter()
    .enumerate()
    {
        let c = u16::try_from(c).unwrap_or(0);
        sheet
            .write_string(5, c, *v)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let bytes = book.save_to_buffer().unwrap_or_else(|e| panic!("{e}"));
    let rows = parse(&bytes, MAX_ROWS).unwrap_or_else(|e| panic!("{e:?}"));
    let read: Vec<(u32, &str, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r.number,
                r.get("household_number"),
                r.get("year_identified"),
                r.get("name"),
            )
        })
        .collect();
    assert_eq!(
        read,
        vec![
            (2, "3708310010030001", "2015", "王秀英"),
            (3, "3708310010030001", "2015", "李明"),
            (4, "3708310010030001", "2015", "李小"),
            (6, "3708310010030002", "2016", "赵四"),
        ]
    );
    assert!(rows.iter().all(|r| r.problems.is_empty()));
}

/// A line no register has (millions of commas, hundreds of megabytes) refuses the file before
/// the reader holds it: the reader keeps a record whole, each cell twice.
#[test]
fn an_absurd_line_refuses_the_file_before_it_is_held() {
    const TWO: &[Column] = &[
        col("household_number", "户编号", true),
        col("address", "地址", false),
    ];
    let head = "户编号,地址";
    let commas = ",".repeat(text::MAX_LINE_COMMAS + 1);
    let e = parse_job(
        format!("{head}\nH1,a\nH2{commas}\n").as_bytes(),
        TWO,
        MAX_ROWS,
    );
    assert!(
        format!("{e:?}").contains("line 3") && format!("{e:?}").contains("commas"),
        "{e:?}"
    );
    let long = "x".repeat(text::MAX_LINE_BYTES + 1);
    let e = parse_job(format!("{head}\nH1,{long}\n").as_bytes(), TWO, MAX_ROWS);
    assert!(format!("{e:?}").contains("line 2"), "{e:?}");
    // Short lines do not get round it when a quote opened at a cell's start makes them one
    // record, nor do cells of one comma each over many lines.
    let lines = "short line\n".repeat(text::MAX_LINE_BYTES / 10);
    let e = parse_job(format!("{head}\nH1,\"{lines}\n").as_bytes(), TWO, MAX_ROWS);
    assert!(format!("{e:?}").contains("line 2"), "{e:?}");
    let cells = "\"x\ny\",".repeat(text::MAX_LINE_COMMAS + 1);
    let e = parse_job(format!("{head}\nH1,{cells}\n").as_bytes(), TWO, MAX_ROWS);
    assert!(format!("{e:?}").contains("commas"), "{e:?}");
    // A quote inside a plain cell (5" of rain) opens nothing: the rows after it are rows.
    let rows = parse_job(
        format!("{head}\nH1,5\" rain\nH2,b\n").as_bytes(),
        TWO,
        MAX_ROWS,
    )
    .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(rows.len(), 2);
    // A cell of a megabyte and a row of 200 cells are rows' problems, not the file's.
    let mb = "x".repeat(1024 * 1024);
    let wide = ",y".repeat(199);
    let rows = parse_job(
        format!("{head}\nH1,{mb}\nH2,a{wide}\nH3,b\n").as_bytes(),
        TWO,
        MAX_ROWS,
    )
    .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(rows.len(), 3);
    assert!(!rows[0].problems.is_empty() && !rows[1].problems.is_empty());
    assert!(rows[2].problems.is_empty());
}

#[test]
fn the_csv_formula_guard_covers_what_a_spreadsheet_would_run_and_leaves_numbers() {
    for cell in [
        "=1+1", "+86138", "+3.5", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1", "-inf", "-NaN",
    ] {
        assert_eq!(guard(cell), format!("'{cell}"), "{cell:?}");
    }
    for cell in ["-5", "-0.25", "王五", "", "370831", "a=b"] {
        assert_eq!(guard(cell), cell, "{cell:?}");
    }
}
