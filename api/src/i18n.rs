//! Languages of error messages: English (the default) and Simplified Chinese, chosen by
//! `Accept-Language`. Codes, fields and the problem `type` never change with the language; only
//! `title`, `detail` and `errors[].message` are translated. A message without a translation is
//! given in English.

/// A language the API answers in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Simplified Chinese.
    Zh,
}

impl Lang {
    /// The `Content-Language` tag.
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Zh => "zh-CN",
        }
    }

    /// The preferred language of an `Accept-Language` header (`zh-CN,zh;q=0.9,en;q=0.8`): the
    /// supported one with the highest weight; English when none is supported.
    pub fn from_accept_language(header: Option<&str>) -> Self {
        let Some(h) = header else {
            return Self::En;
        };
        let mut best: Option<(f32, Self)> = None;
        for part in h.split(',') {
            let mut it = part.trim().split(';');
            let tag = it.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = it
                .find_map(|p| p.trim().strip_prefix("q=").map(str::to_owned))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            let lang = if tag == "zh" || tag.starts_with("zh-") {
                // Traditional-script tags are not served: fall through to other preferences.
                if tag.contains("hant") || tag == "zh-tw" || tag == "zh-hk" || tag == "zh-mo" {
                    continue;
                }
                Self::Zh
            } else if tag == "en" || tag.starts_with("en-") {
                Self::En
            } else {
                continue;
            };
            if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map_or(Self::En, |(_, l)| l)
    }
}

/// Chinese titles of the problem codes (the code stays as it is).
pub fn title_zh(status: u16) -> &'static str {
    match status {
        400 => "请求无效",
        401 => "需要登录",
        403 => "无权操作",
        404 => "未找到",
        405 => "不支持该请求方法",
        409 => "与现有数据冲突",
        412 => "数据已被修改",
        413 => "请求内容过大",
        415 => "不支持的内容类型",
        422 => "输入有误",
        428 => "缺少 If-Match",
        429 => "请求过于频繁",
        503 => "服务暂不可用",
        _ => "服务器内部错误",
    }
}

/// Message patterns and their Chinese; `{}` stands for a part carried over as it is.
const PATTERNS: &[(&str, &str)] = &[
    ("is required", "必填"),
    ("must not be negative", "不能为负数"),
    ("must not be in the future", "不能晚于今天"),
    ("must be positive", "必须为正数"),
    ("must use https", "必须使用 https"),
    ("must have 18 characters", "必须为 18 位"),
    ("must not contain control characters", "不能包含控制字符"),
    ("is listed twice", "重复列出"),
    ("is invalid", "无效"),
    ("unknown field", "未知字段"),
    ("is not a known division code", "不是有效的行政区划代码"),
    ("must be a 6-digit county code", "必须是 6 位县级代码"),
    ("must be a village in your scope", "必须是您管辖范围内的村"),
    (
        "must be a township in your scope",
        "必须是您管辖范围内的乡镇",
    ),
    ("must be a county in your scope", "必须是您管辖范围内的县"),
    (
        "must be a county, township or village in your scope",
        "必须是您管辖范围内的县、乡镇或村",
    ),
    ("is not a household in your scope", "不是您管辖范围内的户"),
    ("is not on this list", "不在此名单上"),
    ("must be YYYY-MM", "格式必须为 YYYY-MM"),
    (
        "must be a positive amount in fen",
        "必须是以分为单位的正数金额",
    ),
    ("must be json, csv or xlsx", "必须是 json、csv 或 xlsx"),
    (
        "must be a year between {} and {}",
        "必须是 {} 至 {} 之间的年份",
    ),
    ("must be between {} and {}", "必须在 {} 与 {} 之间"),
    ("must be one of {}", "必须是以下之一:{}"),
    ("must have at most {} characters", "最多 {} 个字符"),
    ("must be at most {} characters", "最多 {} 个字符"),
    ("must have 1 to {} characters", "须为 1 至 {} 个字符"),
    ("must list 1 to {} households", "须列出 1 至 {} 户"),
    ("must not be before {}", "不能早于 {}"),
    ("must name at least one event", "至少选择一种事件"),
    ("must name a host", "必须包含主机名"),
    ("must not point at an internal address", "不能指向内部地址"),
    (
        "must not point at this server's own network",
        "不能指向本服务器所在网络",
    ),
    (
        "must not carry a user name or password",
        "不能包含用户名或密码",
    ),
    (
        "must be an absolute URL (https://…)",
        "必须是完整网址(https://…)",
    ),
    (
        "is not a cursor this API issued",
        "不是本接口返回的分页游标",
    ),
    ("you need the permission {}", "您需要权限 {}"),
    (
        "the credentials are missing, invalid or expired",
        "未提供登录凭据,或凭据无效、已过期",
    ),
    (
        "the resource changed since you read it; fetch it again and retry",
        "数据在您读取后已被修改,请重新获取后再试",
    ),
    (
        "send If-Match with the ETag you read",
        "请在 If-Match 中提供读取时得到的 ETag",
    ),
    (
        "too many attempts; retry after the time in Retry-After",
        "尝试次数过多,请在 Retry-After 所示时间后重试",
    ),
    ("the server is busy; retry shortly", "服务器繁忙,请稍后重试"),
    (
        "an unexpected error occurred; quote the request id when reporting it",
        "发生意外错误,报告问题时请提供请求编号",
    ),
    (
        "the body must not exceed {} bytes",
        "请求内容不能超过 {} 字节",
    ),
    (
        "send the body as application/json",
        "请以 application/json 发送请求内容",
    ),
    ("allowed: {}", "允许的方法:{}"),
    (
        "the file is not a PDF, JPEG, PNG, OFD, DOCX or XLSX (told by its content, not its name)",
        "文件不是 PDF、JPEG、PNG、OFD、DOCX 或 XLSX(按内容判断,而非文件名)",
    ),
    (
        "send the file as the part `file` of a multipart/form-data body",
        "请以 multipart/form-data 表单的 `file` 部分发送文件",
    ),
    ("must be a file name, not a path", "必须是文件名,不能是路径"),
    ("must not contain quotation marks", "不能包含引号"),
    (
        "this step needs evidence stored by the system (exit.require_stored_evidence): upload it for this list (POST /api/v1/attachments) and cite /api/v1/attachments/{id}",
        "此步骤需要系统存储的证明材料(exit.require_stored_evidence):请为该名单上传(POST /api/v1/attachments)并引用 /api/v1/attachments/{id}",
    ),
    (
        "is not an attachment stored for this exit list (POST /api/v1/attachments)",
        "不是为该退出名单存储的附件(POST /api/v1/attachments)",
    ),
    ("{}: {}", "{}:{}"),
];

/// Matches `text` against a pattern with `{}` holes; returns the holes' contents.
fn capture<'a>(pattern: &str, text: &'a str) -> Option<Vec<&'a str>> {
    let literals: Vec<&str> = pattern.split("{}").collect();
    let mut rest = text.strip_prefix(literals[0])?;
    let mut holes = Vec::new();
    for (i, lit) in literals.iter().enumerate().skip(1) {
        let last = i == literals.len() - 1;
        if last {
            let end = if lit.is_empty() {
                rest.len()
            } else {
                rest.strip_suffix(lit).map(str::len)?
            };
            holes.push(&rest[..end]);
            rest = "";
        } else {
            let at = rest.find(lit)?;
            holes.push(&rest[..at]);
            rest = &rest[at + lit.len()..];
        }
    }
    rest.is_empty().then_some(holes)
}

/// A message in `lang`.
pub fn message(lang: Lang, text: &str) -> String {
    if lang == Lang::En {
        return text.to_string();
    }
    // A detail joins field errors as "field: message; field: message".
    if text.contains("; ") && text.contains(": ") {
        return text
            .split("; ")
            .map(|part| message(lang, part))
            .collect::<Vec<_>>()
            .join(";");
    }
    for (en, zh) in PATTERNS {
        if let Some(holes) = capture(en, text) {
            let mut out = String::new();
            let mut pieces = zh.split("{}");
            out.push_str(pieces.next().unwrap_or(""));
            for (i, piece) in pieces.enumerate() {
                let hole = holes.get(i).copied().unwrap_or("");
                // "field: message": the field stays, the message is translated.
                if *en == "{}: {}" && i == 1 {
                    out.push_str(&message(lang, hole));
                } else {
                    out.push_str(hole);
                }
                out.push_str(piece);
            }
            return out;
        }
    }
    text.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_best_supported() {
        assert_eq!(Lang::from_accept_language(None), Lang::En);
        assert_eq!(
            Lang::from_accept_language(Some("zh-CN,zh;q=0.9,en;q=0.8")),
            Lang::Zh
        );
        assert_eq!(Lang::from_accept_language(Some("en-US,zh;q=0.5")), Lang::En);
        assert_eq!(
            Lang::from_accept_language(Some("fr, zh-Hans;q=0.3")),
            Lang::Zh
        );
        assert_eq!(Lang::from_accept_language(Some("zh-TW")), Lang::En);
        assert_eq!(Lang::from_accept_language(Some("zh;q=0, en")), Lang::En);
        assert_eq!(Lang::from_accept_language(Some("de")), Lang::En);
    }

    #[test]
    fn messages_translate_with_their_parts() {
        assert_eq!(message(Lang::Zh, "is required"), "必填");
        assert_eq!(
            message(Lang::Zh, "file.filename: must be a file name, not a path"),
            "file.filename:必须是文件名,不能是路径"
        );
        assert_eq!(
            message(Lang::Zh, "must be one of central, province"),
            "必须是以下之一:central, province"
        );
        assert_eq!(
            message(Lang::Zh, "must be a year between 1980 and 2100"),
            "必须是 1980 至 2100 之间的年份"
        );
        assert_eq!(
            message(
                Lang::Zh,
                "year: must be a year between 1980 and 2100; name: is required"
            ),
            "year:必须是 1980 至 2100 之间的年份;name:必填"
        );
        assert_eq!(message(Lang::En, "is required"), "is required");
        // Untranslated text stays as it is.
        assert_eq!(
            message(Lang::Zh, "the lead is closed already"),
            "the lead is closed already"
        );
    }
}
