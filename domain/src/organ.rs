//! Names of the organs that issue and sign documents (DOCUMENTS.md, "Names of organs").
//!
//! The national division data already names village-level units in full (…村民委员会,
//! …社区居民委员会): such a name is printed as it is, never with a suffix added. A township (镇,
//! 乡) signs as its people's government, a subdistrict (街道) as its office (办事处).

/// The signing organ of a village-level unit.
pub fn village(name: &str) -> String {
    if name.ends_with("委员会") {
        name.to_string()
    } else {
        format!("{name}村民委员会")
    }
}

/// The signing organ of a township-level unit.
pub fn township(name: &str) -> String {
    if name.ends_with("街道") {
        format!("{name}办事处")
    } else if name.ends_with("办事处") || name.ends_with("人民政府") {
        name.to_string()
    } else {
        format!("{name}人民政府")
    }
}

/// The signing organ of a village-level unit in an English document: the Chinese name as
/// [`village`] gives it (names stay as recorded), glossed by the kind of committee.
pub fn village_en(name: &str) -> String {
    let organ = village(name);
    if organ.ends_with("居民委员会") {
        format!("{organ} (Residents' Committee)")
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
    } else {
        format!("{organ} (People's Government)")
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
}
