//! The fuzz targets' quick mode, without libFuzzer. `cargo fuzz run` (coverage-guided,
//! `--cfg fuzzing`) is the real fuzzer: it needs every dependency rebuilt with
//! instrumentation, which takes longer than a CI run may. So every CI run builds the same
//! target functions as plain binaries and calls [`replay`]: each committed seed, then
//! seeds changed by random mutations (bit flips, interesting bytes, insertions, deletions,
//! duplicated ranges, splices of two seeds) for a fixed time. Not guided by coverage — the
//! long variant (`BISIDDER_FUZZ_LONG=1`) runs libFuzzer for minutes per target.

use std::{
    panic,
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

/// Bytes that often sit on a parser's edges: separators, quotes, signs, digits, UTF-8
/// lead bytes, NUL.
const INTERESTING: &[u8] = b"\0\n\r\t ,;:\"'-+./\\{}[]0179aZ\xc3\xa6\xff\x80";

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*: deterministic for a seed, so a finding can be replayed.
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn mutate(rng: &mut Rng, input: &mut Vec<u8>, other: &[u8]) {
    for _ in 0..=rng.below(8) {
        let len = input.len();
        match rng.below(7) {
            0 if len > 0 => {
                let i = rng.below(len);
                input[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                input[i] = INTERESTING[rng.below(INTERESTING.len())];
            }
            2 => {
                let i = rng.below(len + 1);
                input.insert(i, INTERESTING[rng.below(INTERESTING.len())]);
            }
            3 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(16));
                input.drain(i..i + n);
            }
            4 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(64));
                let copy = input[i..i + n].to_vec();
                let at = rng.below(len + 1);
                input.splice(at..at, copy);
            }
            5 if !other.is_empty() => {
                let cut = rng.below(len + 1);
                let from = rng.below(other.len());
                input.truncate(cut);
                input.extend_from_slice(&other[from..]);
            }
            _ => {
                let i = rng.below(len + 1);
                input.truncate(i);
            }
        }
    }
    input.truncate(8192);
}

fn seeds(dir: &Path) -> Vec<Vec<u8>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("seeds {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let mut out: Vec<Vec<u8>> = files.iter().filter_map(|p| std::fs::read(p).ok()).collect();
    out.push(Vec::new());
    out
}

/// `BIN [SEEDS_DIR [SECONDS]]`, seed of the mutations from `FUZZ_SEED` (default 1). Prints
/// `Done N runs in S second(s)` like libFuzzer; on a failed property it writes the input to
/// `FUZZ_ARTIFACTS` (or the working directory) as `crash-<name>-<n>` and exits with 1.
pub fn replay(name: &str, target: fn(&[u8])) {
    let args: Vec<String> = std::env::args().collect();
    let dir = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| format!("seeds/{name}"));
    let seconds: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10);
    let seed: u64 = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let corpus = seeds(Path::new(&dir));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut rng = Rng(seed.max(1).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut runs: u64 = 0;
    let started = Instant::now();
    let mut run = |input: &[u8], runs: u64| {
        if panic::catch_unwind(|| target(input)).is_err() {
            let out = std::env::var("FUZZ_ARTIFACTS").unwrap_or_else(|_| ".".into());
            let file = Path::new(&out).join(format!("crash-{name}-{runs}"));
            let _ = std::fs::write(&file, input);
            eprintln!(
                "FAILED on input saved as {} (FUZZ_SEED={seed})",
                file.display()
            );
            std::process::exit(1);
        }
    };
    for s in &corpus {
        run(s, runs);
        runs += 1;
    }
    let mut input = Vec::new();
    while Instant::now() < deadline {
        for _ in 0..256 {
            input.clear();
            input.extend_from_slice(&corpus[rng.below(corpus.len())]);
            let other = &corpus[rng.below(corpus.len())];
            mutate(&mut rng, &mut input, other);
            run(&input, runs);
            runs += 1;
        }
    }
    println!(
        "Done {runs} runs in {} second(s) ({} seeds, FUZZ_SEED={seed}, no coverage guidance)",
        started.elapsed().as_secs(),
        corpus.len()
    );
}
