//! The writers' output says what the document says: PDF text extracted with `pdftotext`, DOCX
//! text read from `word/document.xml`.

use render::{Block, Doc, Fonts, Lang, Table};

fn sample() -> Doc {
    let mut t = Table::new(
        &[
            "序号",
            "乡镇",
            "村",
            "户编号",
            "户主姓名",
            "身份证号",
            "家庭人口",
            "人均纯收入（元）",
            "帮扶措施",
        ],
        &[true, false, false, false, false, false, true, true, false],
    );
    for i in 1..=60 {
        t.rows.push(vec![
            i.to_string(),
            "泉林镇".into(),
            "卞桥二村村民委员会".into(),
            format!("E{i}"),
            format!("张{i}"),
            "370882********0012".into(),
            "3".into(),
            "4321.50".into(),
            "产业扶持、教育资助".into(),
        ]);
    }
    t.totals = Some(vec![
        "合计".into(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        "180".into(),
        String::new(),
        String::new(),
    ]);
    Doc::new(
        "测试公示",
        Lang::Zh,
        vec![
            Block::Title(vec!["泉林镇2026年建档立卡贫困户".into(), "退出名单公示".into()]),
            Block::Addressee("各村民委员会：".into()),
            Block::Para("经村民小组提名、村民代表大会民主评议、村委会和驻村工作队核实，现将名单公示如下。公示期：自2026年12月5日至2026年12月11日24时。".into()),
            Block::Table(t),
            Block::Attachments(vec!["退出户名单".into(), "评议记录".into()]),
            Block::Signature { organ: "泉林镇人民政府".into(), date: "2026年12月4日".into() },
        ],
    )
}

fn pdftotext(pdf: &[u8]) -> Option<String> {
    let dir = std::env::temp_dir().join(format!("zx-render-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok()?;
    let path = dir.join("t.pdf");
    std::fs::write(&path, pdf).ok()?;
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .ok()?;
    let _ = std::fs::remove_dir_all(&dir);
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn the_pdf_says_what_the_document_says() -> Result<(), Box<dyn std::error::Error>> {
    let fonts = Fonts::load(&Fonts::dir_from_env())?;
    let pdf = sample().pdf(&fonts)?;
    assert!(pdf.starts_with(b"%PDF-"));
    let text = pdftotext(&pdf).ok_or("pdftotext (poppler-utils) is needed")?;
    if let Ok(dir) = std::env::var("ZX_DOC_SAMPLE_DIR") {
        let _ = std::fs::write(format!("{dir}/sample.pdf"), &pdf);
    }
    let flat: String = text.split_whitespace().collect();
    for must in [
        "泉林镇2026年建档立卡贫困户",
        "退出名单公示",
        "各村民委员会：",
        "自2026年12月5日至2026年12月11日24时",
        "泉林镇人民政府",
        "2026年12月4日",
        "附件：1.退出户名单",
        "2.评议记录",
        "张60",
        "4321.50",
        "— 1 —",
    ] {
        let m: String = must.split_whitespace().collect();
        assert!(flat.contains(&m), "lacks {must}:\n{text}");
    }
    // Sixty rows take more than one page; the header row is printed on each.
    let pages = text.split('\u{c}').filter(|p| !p.trim().is_empty()).count();
    assert!(pages >= 2, "{pages} pages");
    assert_eq!(text.matches("户主姓名").count(), pages, "{text}");
    assert!(flat.contains("合计") && flat.contains("180"), "{text}");
    // The font is embedded (a subset), not referenced.
    let raw = String::from_utf8_lossy(&pdf);
    assert!(
        raw.contains("/FontFile") && raw.contains("+NotoSerifCJK"),
        "font not embedded"
    );
    Ok(())
}

#[test]
fn the_docx_says_what_the_document_says() -> Result<(), Box<dyn std::error::Error>> {
    let doc = sample();
    let bytes = doc.docx()?;
    let paras = render::docx_text(&bytes)?;
    let all = paras.concat();
    for must in doc.plain_text() {
        assert!(all.contains(&must), "lacks {must}");
    }
    assert!(
        paras.contains(&"附件：1. 退出户名单".to_string()),
        "{paras:?}"
    );
    // The table is wide: the section is landscape; its header row repeats.
    let xml: String = {
        use std::io::Read as _;
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(&bytes))?;
        let mut s = String::new();
        z.by_name("word/document.xml")?.read_to_string(&mut s)?;
        s
    };
    assert!(xml.contains("w:orient=\"landscape\""));
    assert_eq!(xml.matches("<w:tblHeader/>").count(), 1);
    Ok(())
}

#[test]
fn html_keeps_the_structure() {
    let html = sample().html();
    assert!(html.contains("<p class=\"sign\">泉林镇人民政府<br>2026年12月4日</p>"));
    assert!(html.contains("<thead><tr><th>序号</th>"));
    assert!(html.contains("<td class=\"num\">4321.50</td>"));
}
