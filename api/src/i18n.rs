//! Languages of error messages: English (the default) and Simplified Chinese, chosen by
//! `Accept-Language`. Codes, fields, rules and the problem `type` never change with the
//! language; `title`, `detail` and `errors[].message` are rendered in it: field errors from
//! their rule (`domain::Rule::message`), a conflict's detail after its code's Chinese
//! description (`ErrorCode::description_zh`). No English text is matched to find its Chinese.

pub use domain::Lang;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_has_a_chinese_title() {
        for s in [
            400, 401, 403, 404, 405, 409, 412, 413, 415, 422, 428, 429, 503,
        ] {
            assert_ne!(title_zh(s), title_zh(500), "{s}");
        }
    }
}
