//! Guangzhou's real sub-district names (`data/guangzhou/subdistricts.csv`, compiled in) and the
//! rough geography of its districts, for naming synthetic zones; Chinese street names.

/// The sub-district table, as shipped in `data/guangzhou/subdistricts.csv`.
pub const SUBDISTRICTS_CSV: &str = include_str!("../../data/guangzhou/subdistricts.csv");

/// One sub-district unit (街道, 镇 or other) of Guangzhou.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subdistrict {
    /// 12-digit statistical code, e.g. `440103001000`.
    pub code: String,
    /// Name, e.g. `沙面街道`.
    pub name: String,
    /// Level: `街道`, `镇` or `其他` (a reservoir or forest farm).
    pub level: String,
    /// Code of the district (区).
    pub district_code: String,
    /// Name of the district, e.g. `荔湾区`.
    pub district: String,
}

impl Subdistrict {
    /// Rural units: towns (镇) and the other units (reservoirs, forest farms).
    pub fn rural(&self) -> bool {
        self.level != "街道"
    }
}

/// All 174 units, in the file's order.
pub fn subdistricts() -> Vec<Subdistrict> {
    SUBDISTRICTS_CSV
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.trim().split(',').collect();
            Subdistrict {
                code: f[0].to_string(),
                name: f[1].to_string(),
                level: f[2].to_string(),
                district_code: f[3].to_string(),
                district: f[4].to_string(),
            }
        })
        .collect()
}

/// Where a district lies: ring 0 (the old centre), 1 (the inner suburbs) or 2 (the outer,
/// mostly rural districts), and its direction from the centre in degrees (east 0, north 90).
pub fn district_place(district: &str) -> (u8, f64) {
    match district {
        "越秀区" => (0, 90.0),
        "荔湾区" => (0, 180.0),
        "海珠区" => (0, 270.0),
        "天河区" => (0, 0.0),
        "白云区" => (1, 100.0),
        "黄埔区" => (1, 10.0),
        "番禺区" => (1, 260.0),
        "花都区" => (2, 135.0),
        "从化区" => (2, 60.0),
        "增城区" => (2, 0.0),
        "南沙区" => (2, 280.0),
        _ => (2, 200.0),
    }
}

const ROAD_STEMS: &[&str] = &[
    "中山", "解放", "环市", "东风", "黄埔", "广州", "天河", "珠江", "滨江", "江南", "工业", "新港",
    "广园", "先烈", "越秀", "沿江", "人民", "北京", "教育", "德政", "昌岗", "宝岗", "南洲", "石溪",
    "广花", "机场", "白云", "同和", "沙河", "五山", "石牌", "员村", "车陂", "东圃", "科韵", "华南",
    "番禺", "市桥", "大石", "洛溪", "花城", "迎宾", "岭南", "龙津", "多宝", "荔湾", "芳村", "花地",
    "金沙", "凤凰", "南岗", "夏园", "长岭", "九龙", "荔城", "新塘", "增江", "街口", "太平", "鳌头",
];
const ROAD_SUFFIXES: &[&str] = &["路", "大道", "东路", "西路", "南路", "北路", "一路", "二路"];
const LANE_STEMS: &[&str] = &[
    "福", "寿", "安", "宁", "和", "平", "兴", "隆", "昌", "盛", "荣", "华", "富", "贵", "康", "乐",
    "吉", "祥", "瑞", "德", "仁", "义", "礼", "智", "信", "文", "明", "光", "新", "永", "长", "泰",
];
const LANE_SUFFIXES: &[&str] = &["街", "巷", "里", "坊", "大街", "横街", "直街", "路"];

/// A road name for arterial line `line` from a hash `h`, e.g. `中山二路`.
pub fn arterial_name(h: u64) -> String {
    let stem = ROAD_STEMS[(h % ROAD_STEMS.len() as u64) as usize];
    let suffix = ROAD_SUFFIXES[((h >> 20) % ROAD_SUFFIXES.len() as u64) as usize];
    format!("{stem}{suffix}")
}

/// A local street name from a hash `h`, e.g. `福安里`.
pub fn street_name(h: u64) -> String {
    let a = LANE_STEMS[(h % LANE_STEMS.len() as u64) as usize];
    let b = LANE_STEMS[((h >> 16) % LANE_STEMS.len() as u64) as usize];
    let s = LANE_SUFFIXES[((h >> 32) % LANE_SUFFIXES.len() as u64) as usize];
    format!("{a}{b}{s}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_174_units_in_11_districts() {
        let s = subdistricts();
        assert_eq!(s.len(), 174);
        let mut d: Vec<&str> = s.iter().map(|x| x.district.as_str()).collect();
        d.sort();
        d.dedup();
        assert_eq!(d.len(), 11);
        assert_eq!(s.iter().filter(|x| x.level == "镇").count(), 34);
        assert!(s.iter().all(|x| x.code.len() == 12));
    }
}
