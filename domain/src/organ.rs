//! Names of the organs that issue and sign documents (DOCUMENTS.md, "Names of organs").
//!
//! The national division data names most village-level units as their committee, in full
//! (…村民委员会, …社区居民委员会) or abbreviated (…村委会, …居委会, about 330,000 of the 620,000),
//! and some by the place alone (…社区, …村, …嘎查). A full name is printed as it is; an abbreviated
//! one is written out (村委会 → 村民委员会, 居委会 → 居民委员会); a bare 社区 is a residents'
//! committee and anything else a villagers' committee, so the suffix is added once. A township
//! (镇, 乡, 苏木) signs as its people's government, a subdistrict (街道) as its office (办事处);
//! the other township-level units of the data (开发区 and 管委会, 林场, 农场, …: about 2,700)
//! are their own organs and print as the data names them.

/// The signing organ of a village-level unit.
pub fn village(name: &str) -> String {
    if name.ends_with("委员会") || name.ends_with("管理区") || name.ends_with('）') {
        // In full already (…村民委员会, …居民委员会, …管理委员会), a management area (not a
        // villagers' committee), or qualified by the data in brackets (…村委会（一分场）).
        name.to_string()
    } else if let Some(stem) = name.strip_suffix("村委会") {
        format!("{stem}村民委员会")
    } else if let Some(stem) = name.strip_suffix("居委会") {
        format!("{stem}居民委员会")
    } else if let Some(stem) = name.strip_suffix("委会") {
        // Other abbreviations of 委员会 (…嘎查委会, …村牧委会).
        format!("{stem}委员会")
    } else if let Some(stem) = name.strip_suffix("村委") {
        format!("{stem}村民委员会")
    } else if let Some(stem) = name.strip_suffix("居委") {
        format!("{stem}居民委员会")
    } else if let Some(stem) = name.strip_suffix("村民会员会") {
        // A transposition in the division data (北泽沟村民会员会).
        format!("{stem}村民委员会")
    } else if name.ends_with("社区") {
        format!("{name}居民委员会")
    } else {
        // …村 → …村村民委员会, …嘎查 → …嘎查村民委员会.
        format!("{name}村民委员会")
    }
}

/// A village-level unit as a place in an address or a table: its name without the committee
/// (卞桥二村村民委员会 → 卞桥二村, 韦园社区居委会 → 韦园社区, 城关村 → 城关村). The organ that
/// signs keeps the full name ([`village`]).
pub fn village_place(name: &str) -> String {
    ["村民委员会", "居民委员会", "村委会", "居委会"]
        .iter()
        .find_map(|s| name.strip_suffix(s).filter(|stem| !stem.is_empty()))
        .unwrap_or(name)
        .to_string()
}

/// The signing organ of a township-level unit.
pub fn township(name: &str) -> String {
    if name.ends_with("街道") {
        format!("{name}办事处")
    } else if name.ends_with('镇') || name.ends_with('乡') || name.ends_with("苏木") {
        format!("{name}人民政府")
    } else {
        // …人民政府, …办事处, and the units that are their own organs (…管理委员会, …管委会,
        // …开发区, …林场, …农场, …).
        name.to_string()
    }
}

/// The kind of a township-level unit as the documents name it in "全乡", "全镇", "全街道".
pub fn township_kind(name: &str) -> &'static str {
    if name.ends_with("街道") || name.ends_with("街道办事处") {
        "街道"
    } else if name.ends_with('乡') || name.ends_with("乡人民政府") {
        "乡"
    } else if name.ends_with('镇') || name.ends_with("镇人民政府") {
        "镇"
    } else if name.ends_with("苏木") {
        "苏木"
    } else {
        // A 开发区, 管委会, 林场, …: "全区" would be wrong for some, "全辖区" reads right for all.
        "辖区"
    }
}

/// The signing organ of a village-level unit in an English document: the Chinese name as
/// [`village`] gives it (names stay as recorded), glossed by the kind of committee.
pub fn village_en(name: &str) -> String {
    let organ = village(name);
    if organ.ends_with("居民委员会") || organ.ends_with("社区委员会") {
        format!("{organ} (Residents' Committee)")
    } else if organ.ends_with("管理委员会") {
        format!("{organ} (Administrative Committee)")
    } else if organ.ends_with("管理区") {
        format!("{organ} (Administrative Area)")
    } else {
        format!("{organ} (Villagers' Committee)")
    }
}

/// The signing organ of a township-level unit in an English document: the Chinese name as
/// [`township`] gives it, glossed by the kind of organ.
pub fn township_en(name: &str) -> String {
    let organ = township(name);
    if organ.ends_with("办事处") {
        format!("{organ} (Subdistrict Office)")
    } else if organ.ends_with("人民政府") {
        format!("{organ} (People's Government)")
    } else if organ.ends_with("管理委员会") || organ.ends_with("管委会") {
        format!("{organ} (Administrative Committee)")
    } else {
        organ
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_documents_print_the_organ_as_recorded_with_a_gloss() {
        assert_eq!(
            village_en("仲子社区居民委员会"),
            "仲子社区居民委员会 (Residents' Committee)"
        );
        assert_eq!(
            village_en("卞桥二村村民委员会"),
            "卞桥二村村民委员会 (Villagers' Committee)"
        );
        assert_eq!(
            township_en("泗河街道"),
            "泗河街道办事处 (Subdistrict Office)"
        );
        assert_eq!(
            township_en("泉林镇"),
            "泉林镇人民政府 (People's Government)"
        );
    }

    #[test]
    fn names_are_printed_as_the_data_gives_them_and_townships_sign_by_kind() {
        assert_eq!(village("仲子社区居民委员会"), "仲子社区居民委员会");
        assert_eq!(village("卞桥村民委员会"), "卞桥村民委员会");
        assert_eq!(village("卞桥二村"), "卞桥二村村民委员会");
        assert_eq!(township("泗河街道"), "泗河街道办事处");
        assert_eq!(township("泉林镇"), "泉林镇人民政府");
        assert_eq!(township("圣水峪乡"), "圣水峪乡人民政府");
    }

    #[test]
    fn abbreviated_committees_are_written_out_not_suffixed() {
        assert_eq!(village("城关村委会"), "城关村民委员会");
        assert_eq!(village("城关村村委会"), "城关村村民委员会");
        assert_eq!(village("韦园社区居委会"), "韦园社区居民委员会");
        assert_eq!(village("东南村村委"), "东南村村民委员会");
        assert_eq!(village("卜尔汉图嘎查委会"), "卜尔汉图嘎查委员会");
        assert_eq!(village("北泽沟村民会员会"), "北泽沟村民委员会");
    }

    #[test]
    fn bare_places_get_the_committee_of_their_kind_once() {
        assert_eq!(village("韦园社区"), "韦园社区居民委员会");
        assert_eq!(village("城关村"), "城关村村民委员会");
        assert_eq!(village("卜尔汉图嘎查"), "卜尔汉图嘎查村民委员会");
        assert_eq!(village("山海关林场管理区"), "山海关林场管理区");
        assert_eq!(
            village("北扎兰营子村委会（一分场）"),
            "北扎兰营子村委会（一分场）"
        );
        assert_eq!(
            village("长治市漳泽工业转型试验区管理委员会"),
            "长治市漳泽工业转型试验区管理委员会"
        );
    }

    #[test]
    fn residents_committees_are_glossed_as_such_in_english() {
        assert_eq!(
            village_en("韦园社区居委会"),
            "韦园社区居民委员会 (Residents' Committee)"
        );
        assert_eq!(
            village_en("韦园社区"),
            "韦园社区居民委员会 (Residents' Committee)"
        );
        assert_eq!(
            village_en("城关村委会"),
            "城关村民委员会 (Villagers' Committee)"
        );
    }

    #[test]
    fn township_level_units_that_are_their_own_organs_print_as_named() {
        assert_eq!(township("工业园区管委会"), "工业园区管委会");
        assert_eq!(
            township("泗水经济开发区管理委员会"),
            "泗水经济开发区管理委员会"
        );
        assert_eq!(township("泗水经济开发区"), "泗水经济开发区");
        assert_eq!(township("山海关林场"), "山海关林场");
        assert_eq!(township("友谊农场"), "友谊农场");
        assert_eq!(township("锡林浩特苏木"), "锡林浩特苏木人民政府");
        assert_eq!(township("泉林镇人民政府"), "泉林镇人民政府");
        assert_eq!(
            township_en("工业园区管委会"),
            "工业园区管委会 (Administrative Committee)"
        );
        assert_eq!(township_en("友谊农场"), "友谊农场");
    }

    #[test]
    fn a_township_is_named_by_its_kind() {
        assert_eq!(township_kind("泉林镇"), "镇");
        assert_eq!(township_kind("圣水峪乡"), "乡");
        assert_eq!(township_kind("泗河街道"), "街道");
        assert_eq!(township_kind("泗水经济开发区"), "辖区");
    }

    #[test]
    fn a_place_is_the_name_without_its_committee() {
        assert_eq!(village_place("卞桥二村村民委员会"), "卞桥二村");
        assert_eq!(village_place("仲子社区居民委员会"), "仲子社区");
        assert_eq!(village_place("城关村村委会"), "城关村");
        assert_eq!(village_place("韦园社区居委会"), "韦园社区");
        assert_eq!(village_place("城关村"), "城关村");
        assert_eq!(village_place("韦园社区"), "韦园社区");
    }
}
