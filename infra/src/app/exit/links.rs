//! What an attachment may say and point to: titles are plain text, links are `https:` or one
//! of this system's own generated documents. A title or link is shown to other users (lists,
//! steps, documents), so nothing a browser would run or render as markup is stored.

use domain::Rule;
use uuid::Uuid;

use super::documents::KINDS;

/// Why `title` is not plain text, if it is not: markup (`<`, `>`) or control and direction
/// characters (which can disguise what a reader sees).
pub fn plain_text_problem(title: &str) -> Option<Rule> {
    if title.contains(['<', '>']) {
        return Some(Rule::other(
            "must be plain text: no markup such as < or >",
            "必须是纯文本:不能包含 < 或 > 等标记",
        ));
    }
    let hidden = |c: char| {
        c.is_control()
            || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
    };
    if title.chars().any(hidden) {
        return Some(Rule::other(
            "must be plain text: no control or direction characters",
            "必须是纯文本:不能包含控制字符或方向字符",
        ));
    }
    None
}

/// Why `uri` may not be linked, if it may not: only `https:` links with a host and without
/// credentials, this system's own document of an exit list
/// (`/api/v1/exit-lists/{id}/documents/{kind}`), or an attachment stored by this system
/// (`/api/v1/attachments/{id}`; whose it is, is checked by the step).
pub fn uri_problem(uri: &str) -> Option<Rule> {
    uri_problem_en(uri).map(|en| {
        Rule::other(
            en,
            "必须是 https 链接、本系统的文书(/api/v1/exit-lists/{id}/documents/{kind})\
             或本系统存储的附件(/api/v1/attachments/{id})",
        )
    })
}

fn uri_problem_en(uri: &str) -> Option<&'static str> {
    const REFUSED: &str = "must be an https: link, a document of this system \
        (/api/v1/exit-lists/{id}/documents/{kind}) or an attachment stored by it \
        (/api/v1/attachments/{id})";
    // The URL parser drops tabs and newlines silently (`java\tscript:`): refuse them first, so
    // what is stored is what was checked.
    if uri.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Some(REFUSED);
    }
    if uri.starts_with("/api/v1/attachments/") {
        return stored_attachment(uri).is_none().then_some(REFUSED);
    }
    if let Some(rest) = uri.strip_prefix("/api/v1/exit-lists/") {
        let own = rest.split_once("/documents/").is_some_and(|(id, kind)| {
            Uuid::parse_str(id).is_ok() && KINDS.iter().any(|k| k.0 == kind)
        });
        return (!own).then_some(REFUSED);
    }
    match url::Url::parse(uri) {
        Ok(u)
            if u.scheme() == "https"
                && u.host_str().is_some_and(|h| !h.is_empty())
                && u.username().is_empty()
                && u.password().is_none() =>
        {
            None
        }
        _ => Some(REFUSED),
    }
}

/// The id of the stored attachment `uri` names (`/api/v1/attachments/{id}`), if it names one.
pub fn stored_attachment(uri: &str) -> Option<Uuid> {
    uri.strip_prefix("/api/v1/attachments/")
        .filter(|id| id.len() == 36)
        .and_then(|id| Uuid::parse_str(id).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_and_own_documents() {
        for ok in [
            "https://archive.sishui.gov.cn/2016/exit/001.pdf",
            "HTTPS://archive.example/a?b=c#d",
            "/api/v1/exit-lists/6a4b1f5e-8a7c-4f5e-9d0b-1c2d3e4f5a6b/documents/application",
            "/api/v1/attachments/6a4b1f5e-8a7c-4f5e-9d0b-1c2d3e4f5a6b",
        ] {
            assert_eq!(uri_problem(ok), None, "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "java\tscript:alert(1)",
            " javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox(1)",
            "http://archive.example/a.pdf",
            "archive://sishui/2016/exit/001.pdf",
            "file:///etc/passwd",
            "//evil.example/x",
            "https://user:pw@archive.example/a.pdf",
            "/api/v1/exit-lists/x/documents/application",
            "/api/v1/exit-lists/6a4b1f5e-8a7c-4f5e-9d0b-1c2d3e4f5a6b/documents/../../users",
            "/api/v1/users",
            "/api/v1/attachments/x",
            "/api/v1/attachments/6a4b1f5e-8a7c-4f5e-9d0b-1c2d3e4f5a6b/content",
            "/api/v1/attachments/{6a4b1f5e-8a7c-4f5e-9d0b-1c2d3e4f5a6b}",
        ] {
            assert!(uri_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn titles_are_plain_text() {
        assert_eq!(plain_text_problem("退出申请书 (2016) & 附件"), None);
        for bad in [
            "<img src=x onerror=alert(1)>",
            "a<b",
            "申请书\u{0}",
            "line\nbreak",
            "\u{202E}fdp.exe",
        ] {
            assert!(plain_text_problem(bad).is_some(), "{bad:?}");
        }
    }
}
