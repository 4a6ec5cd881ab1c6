//! Fuzzing the readers: every file of a real run folder (Parquet, CSV, JSON), damaged by a
//! deterministic mutator (flipped bytes, truncation, inserted bytes, with extra weight on a
//! Parquet file's footer), is read back in-process. No reader may panic; a reader that accepts
//! the damaged file must return a well-formed value (every column as long as the row count).

use cascade_report::charts::{self, Chart, ChartFormat, RunData, CHART_TABLES};
use cascade_report::compare::read_summary;
use cascade_report::frame::{read_csv, Frame, FrameColumn};
use cascade_report::parquet_io::read_parquet;
use cascade_report::stats::{self, Series, StatsOptions};
use cascade_report::{write_run_with, Manifest, RunManifest, RunOptions};
use cascade_sim::{prepare, Override, Simulation};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// Damaged copies of each file (about 15 files: ~4,000 cases, a few seconds in release,
/// well under 30 s in the test profile).
const CASES_PER_FILE: u64 = 260;

/// A short run of the shipped flash-cascade scenario (it fills every table).
fn run_folder(dir: &Path) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let text = std::fs::read_to_string(root.join("scenarios/flash-cascade.ron")).unwrap();
    // Five minutes with the shock and the leveraged entries brought forward: every table has
    // rows, and the files are small enough to decode thousands of times.
    let sets = [
        "duration_s=300",
        "agents[2].entry_end_s=100",
        "agents[3].entry_end_s=100",
        "shocks[0].at_s=150",
        "shocks[0].over_s=30",
    ]
    .map(|s| Override::parse(s).unwrap());
    let scenario = prepare(&text, &sets).unwrap();
    let rec = Simulation::new(&scenario, 1).run();
    let manifest = Manifest {
        cascade_version: "test".into(),
        scenario_name: scenario.name.clone(),
        scenario_file: "flash-cascade.ron".into(),
        seed: 1,
        overrides: vec![],
        scenario: scenario.to_ron().unwrap(),
        files: vec![],
    };
    write_run_with(
        dir,
        &manifest,
        &scenario,
        &rec,
        RunOptions { charts: false },
    )
    .unwrap();
}

/// SplitMix64: a fixed stream of mutations, the same on every machine.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One damaged copy of `bytes`. Positions fall in the last 512 bytes half of the time (the
/// Parquet footer and the end of a text file) and anywhere otherwise.
fn mutate(bytes: &[u8], rng: &mut Mix) -> Vec<u8> {
    let mut out = bytes.to_vec();
    let tail = out.len().saturating_sub(512);
    let at = |rng: &mut Mix, len: usize| {
        if rng.next() % 2 == 0 {
            tail + rng.below(len - tail)
        } else {
            rng.below(len)
        }
    };
    match rng.next() % 6 {
        0 | 1 => {
            // Flip one to four bytes to arbitrary values.
            for _ in 0..1 + rng.below(4) {
                let i = at(rng, out.len());
                out[i] = rng.next() as u8;
            }
        }
        2 => {
            // A single bit.
            let i = at(rng, out.len());
            out[i] ^= 1 << rng.below(8);
        }
        3 => out.truncate(at(rng, out.len())),
        4 => {
            let i = at(rng, out.len());
            let n = 1 + rng.below(16);
            let junk: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
            out.splice(i..i, junk);
        }
        _ => {
            // A large little-endian length or offset written over four bytes.
            let i = at(rng, out.len().saturating_sub(4));
            let v = [0x7fff_ffffu32, 0xffff_ffff, 0x8000_0000, 1 << 24][rng.below(4)];
            out[i..i + 4].copy_from_slice(&v.to_le_bytes());
        }
    }
    out
}

/// Every column as long as the frame's row count.
fn assert_well_formed(frame: &Frame, file: &str) {
    for name in frame.names() {
        let len = match frame.column(name).unwrap() {
            FrameColumn::Num(v) => v.len(),
            FrameColumn::Text(v) => v.len(),
        };
        assert_eq!(len, frame.rows(), "{file}: column {name} of a damaged file");
    }
}

/// Reads `file` (just damaged) in `dir` the way the commands do; panics are the caller's to
/// catch. Returns whether the reader refused the file.
static DRAWN: AtomicUsize = AtomicUsize::new(0);
/// Damaged Parquet files on which the parquet crate panicked (caught by the reader).
static CAUGHT: AtomicUsize = AtomicUsize::new(0);

fn read_like_the_commands(dir: &Path, file: &str) -> bool {
    let path = dir.join(file);
    match file {
        "manifest.json" => RunManifest::read(dir).is_err(),
        "summary.json" => read_summary(dir).is_err(),
        _ => {
            let frame = if file.ends_with(".parquet") {
                read_parquet(&path)
            } else {
                read_csv(&path)
            };
            let frame = match frame {
                Ok(frame) => frame,
                Err(e) => {
                    if e.to_string().contains("the decoder failed") {
                        CAUGHT.fetch_add(1, Relaxed);
                    }
                    return true;
                }
            };
            assert_well_formed(&frame, file);
            if file.starts_with("series") {
                // What `stats` and `plot` do next with the series.
                if let Ok(series) = Series::from_frame(&frame) {
                    let _ = stats::compute(&series, &StatsOptions::default());
                }
            }
            // What `plot` draws from the folder (it reads the Parquet files first). Drawing is
            // slow, so one damaged Parquet file in eight is drawn.
            let draw = file.ends_with(".parquet") && DRAWN.fetch_add(1, Relaxed) % 8 == 0;
            if draw {
                if let Ok(data) = RunData::read(dir, "fuzz", 1, CHART_TABLES) {
                    for &chart in Chart::ALL {
                        let _ = charts::render(chart, &data, ChartFormat::Svg);
                    }
                }
            }
            false
        }
    }
}

fn files_of(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn no_reader_panics_on_a_damaged_run_folder_file() {
    let dir = tempfile::tempdir().unwrap();
    let t0 = std::time::Instant::now();
    run_folder(dir.path());
    eprintln!("run folder in {:?}", t0.elapsed());
    let files = files_of(dir.path());
    assert!(files.len() >= 12, "{files:?}");
    let mut rng = Mix(16);
    let (mut cases, mut refused) = (0, 0);
    let mut panics = Vec::new();
    for path in &files {
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let original = std::fs::read(path).unwrap();
        for case in 0..CASES_PER_FILE {
            let damaged = mutate(&original, &mut rng);
            std::fs::write(path, &damaged).unwrap();
            match catch_unwind(AssertUnwindSafe(|| {
                read_like_the_commands(dir.path(), &name)
            })) {
                Ok(r) => refused += usize::from(r),
                Err(_) => {
                    let keep = std::env::temp_dir().join(format!("panic-{case}-{name}"));
                    std::fs::write(&keep, &damaged).unwrap();
                    panics.push(keep);
                }
            }
            cases += 1;
        }
        std::fs::write(path, &original).unwrap();
    }
    eprintln!(
        "{cases} damaged files read, {refused} refused ({} by a caught decoder panic), {} panics",
        CAUGHT.load(Relaxed),
        panics.len()
    );
    assert!(panics.is_empty(), "readers panicked on: {panics:?}");
    // Most damage must be detected (a digit changed in a CSV cell still reads).
    assert!(refused * 2 > cases, "{refused} of {cases} refused");
}
