//! Checks against independent implementations: Python's `zipfile` + `xml.dom.minidom`, and LibreOffice.
//!
//! Both tools are optional on developer machines and CI, so each test prints a message and passes when its
//! tool is absent rather than failing; the in-crate reader tests still cover the same ground.

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDate;
use xlsx::{Cell, Workbook};

fn sample() -> Workbook {
    let date = NaiveDate::from_ymd_opt(2024, 3, 15).unwrap();
    let mut wb = Workbook::new();
    wb.set_title("AURA sample export").set_author("AURA <analytics> & co");
    let s = wb.add_sheet("Listings");
    s.set_header(true).set_column_width(0, 28.0).unwrap();
    s.push_row(["Tower", "Listed", "Updated", "Price", "Yield", "Units", "Size", "Ready"]).unwrap();
    s.push_row(vec![
        Cell::from("Marina Gate <1> & \"2\""),
        Cell::Date(date),
        Cell::DateTime(date.and_hms_opt(9, 30, 0).unwrap()),
        Cell::Currency(2_450_000.0),
        Cell::Percent(0.125),
        Cell::Integer(1234),
        Cell::Number(1520.75),
        Cell::Bool(true),
    ])
    .unwrap();
    let s = wb.add_sheet("Notes: Q1/Q2");
    s.push_row(["line one\nline two", "tab\there"]).unwrap();
    wb
}

/// Runs `program` and returns its output, or `None` (after printing why) if it cannot be started.
fn run(program: &str, args: &[&str]) -> Option<std::process::Output> {
    match Command::new(program).args(args).output() {
        Ok(out) => Some(out),
        Err(e) => {
            eprintln!("skipping: cannot run {program}: {e}");
            None
        }
    }
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xlsx-test-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn writes_sample_file() {
    let bytes = sample().to_bytes();
    std::fs::write("/tmp/xlsx-sample.xlsx", &bytes).unwrap();
    assert_eq!(std::fs::read("/tmp/xlsx-sample.xlsx").unwrap(), bytes);
}

const PY_CHECK: &str = r#"
import sys, zipfile, xml.dom.minidom
z = zipfile.ZipFile(sys.argv[1])
bad = z.testzip()
assert bad is None, "CRC failure in " + str(bad)
out = []
for info in z.infolist():
    assert info.date_time == (1980, 1, 1, 0, 0, 0), info.date_time
    assert info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
    doc = xml.dom.minidom.parseString(z.read(info.filename))
    out.append("part " + info.filename)
# Independent look at the first sheet: resolve shared strings and print each cell.
ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
sst = xml.dom.minidom.parseString(z.read("xl/sharedStrings.xml"))
strings = ["".join(t.firstChild.data if t.firstChild else "" for t in si.getElementsByTagNameNS(ns, "t"))
           for si in sst.getElementsByTagNameNS(ns, "si")]
sheet = xml.dom.minidom.parseString(z.read("xl/worksheets/sheet1.xml"))
for c in sheet.getElementsByTagNameNS(ns, "c"):
    v = c.getElementsByTagNameNS(ns, "v")[0].firstChild.data
    if c.getAttribute("t") == "s":
        v = strings[int(v)]
    out.append("cell %s t=%s s=%s %r" % (c.getAttribute("r"), c.getAttribute("t"), c.getAttribute("s"), v))
print("\n".join(out))
"#;

#[test]
fn python_zipfile_and_minidom_accept_the_package() {
    let dir = temp_dir("py");
    let path = dir.join("sample.xlsx");
    std::fs::write(&path, sample().to_bytes()).unwrap();
    let Some(out) = run("python3", &["-c", PY_CHECK, path.to_str().unwrap()]) else { return };
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "python check failed:\n{}\n{}", stdout, String::from_utf8_lossy(&out.stderr));
    for part in [
        "[Content_Types].xml",
        "_rels/.rels",
        "docProps/core.xml",
        "docProps/app.xml",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/styles.xml",
        "xl/sharedStrings.xml",
        "xl/worksheets/sheet1.xml",
        "xl/worksheets/sheet2.xml",
    ] {
        assert!(stdout.lines().any(|l| l == format!("part {part}")), "{part} not listed:\n{stdout}");
    }
    for expected in [
        "cell A1 t=s s=7 'Tower'",
        "cell A2 t=s s= 'Marina Gate <1> & \"2\"'",
        "cell B2 t= s=1 '45366'",
        "cell C2 t= s=2 '45366.395833333336'",
        "cell D2 t= s=4 '2450000'",
        "cell E2 t= s=3 '0.125'",
        "cell F2 t= s=5 '1234'",
        "cell G2 t= s=6 '1520.75'",
        "cell H2 t=b s= '1'",
    ] {
        assert!(stdout.lines().any(|l| l == expected), "missing {expected:?} in:\n{stdout}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

fn find_on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).flat_map(|d| names.iter().map(move |n| d.join(n))).find(|p| p.is_file())
}

#[test]
fn libreoffice_converts_to_csv() {
    let Some(office) = find_on_path(&["libreoffice", "soffice"]) else {
        eprintln!("skipping: neither libreoffice nor soffice is on PATH");
        return;
    };
    let dir = temp_dir("lo");
    let path = dir.join("sample.xlsx");
    std::fs::write(&path, sample().to_bytes()).unwrap();
    let profile = format!("-env:UserInstallation=file://{}", dir.join("profile").display());
    let out = Command::new(&office)
        .args([profile.as_str(), "--headless", "--convert-to", "csv", "--outdir"])
        .arg(&dir)
        .arg(&path)
        .output()
        .expect("run libreoffice");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let csv = std::fs::read_to_string(Path::new(&dir).join("sample.csv")).expect("csv output");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "Tower,Listed,Updated,Price,Yield,Units,Size,Ready");
    let row = lines[1];
    for expected in ["\"Marina Gate <1> & \"\"2\"\"\"", "2024-03-15", "2024-03-15 09:30", "AED", "12.5%", "1,234"] {
        assert!(row.contains(expected), "{expected:?} not in {row:?}");
    }
    let _ = std::fs::remove_dir_all(dir);
}
