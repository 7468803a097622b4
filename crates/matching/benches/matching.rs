//! SPEC §8 matching speed: rank one request among 5,000 bisiddere (< 5 ms); assign 300
//! open requests against 3,000 bisiddere (plentiful) and against 250 with regional gaps
//! (scarce) (< 2 s). Instances from `matching::gen` with fixed seeds.
//!
//! ```sh
//! CARGO_TARGET_DIR=/tmp/matching-target cargo bench -p matching --features gen
//! ```

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use matching::gen::{scenario, Params};
use matching::{assign_batch, assign_online, rank};

fn ranking(c: &mut Criterion) {
    let s = scenario(&Params::plentiful(50, 5000), 3);
    let mut next = s.requests.iter().cycle();
    c.bench_function("rank 1 request among 5000 bisiddere", |bench| {
        bench.iter(|| {
            let r = next.next().unwrap_or(&s.requests[0]);
            black_box(rank(r, &s.pool))
        })
    });
}

fn batches(c: &mut Criterion) {
    let mut group = c.benchmark_group("batch");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    let plentiful = scenario(&Params::plentiful(300, 3000), 1);
    let scarce = scenario(&Params::scarce(300, 250), 2);
    group.bench_function("300 requests x 3000 bisiddere (plentiful)", |bench| {
        bench.iter(|| black_box(assign_batch(&plentiful.requests, &plentiful.pool)))
    });
    group.bench_function("300 requests x 250 bisiddere (scarce)", |bench| {
        bench.iter(|| black_box(assign_batch(&scarce.requests, &scarce.pool)))
    });
    group.bench_function(
        "online 300 requests x 3000 bisiddere (plentiful)",
        |bench| bench.iter(|| black_box(assign_online(&plentiful.requests, &plentiful.pool))),
    );
    group.finish();
}

criterion_group!(benches, ranking, batches);
criterion_main!(benches);
