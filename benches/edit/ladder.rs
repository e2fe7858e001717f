//! The size ladder: one generated input per file shape and size (1, 2, 4 … MB), each edited
//! near its end, with the time, the throughput, the cost relative to the 1 MB rung and the
//! peak heap the edit used beyond its input.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use gitops_bump::{apply_edits, Edit};

/// The ladder fails when the largest rung costs more than this many times the 1 MB one per
/// MB of input (64 MB / 1 MB ≤ 80 means 1.25).
pub const MAX_GROWTH_PER_MB: f64 = 80.0 / 64.0;

/// The global allocator of the bench binary: the system one, counting live and peak bytes.
pub struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = LIVE.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = System.realloc(ptr, layout, new_size);
        if !p.is_null() {
            if new_size >= layout.size() {
                grew(new_size - layout.size());
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

/// The heap bytes `op` had live at its peak, beyond what was live before it.
fn peak_of(op: impl FnOnce()) -> usize {
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    op();
    PEAK.load(Ordering::Relaxed) - base
}

/// This thread's CPU time (Linux: `/proc/thread-self/schedstat`), which other processes on a
/// shared machine disturb far less than wall time; `None` elsewhere.
fn cpu_time() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(Duration::from_nanos(
        s.split_whitespace().next()?.parse().ok()?,
    ))
}

/// Wall and (where known) CPU time of `op`.
fn timed(op: impl FnOnce()) -> (Duration, Option<Duration>) {
    let (c, t) = (cpu_time(), Instant::now());
    op();
    let wall = t.elapsed();
    (wall, cpu_time().zip(c).map(|(b, a)| b.saturating_sub(a)))
}

/// A generated input: its text and the one edit made near its end.
pub struct Rung {
    /// The YAML text.
    pub text: String,
    /// Path and new value.
    pub edit: (String, String),
    /// The document selector, for the shape with many documents.
    pub select: Option<String>,
}

/// The shapes, by name.
pub const SHAPES: [&str; 7] = [
    "mapping",
    "under one key",
    "sequence",
    "documents",
    "nesting",
    "long lines",
    "block scalars",
];

/// Depth of each nested chain of the "nesting" shape.
const DEPTH: usize = 48;

/// Generates `shape` at `bytes` or a little more; the edited node is the second to last unit.
pub fn rung(shape: &'static str, bytes: usize) -> Rung {
    let mut text = String::with_capacity(bytes + 64 * 1024);
    let mut n = 0usize;
    let unit = |text: &mut String, i: usize| {
        match shape {
        "mapping" => text.push_str(&format!(
            "key{i:07}:\n  image: registry.example.com/app:{i} # pinned\n  replicas: 3\n"
        )),
        "under one key" => {
            if i == 0 {
                text.push_str("apiVersion: v1\nkind: ConfigMap\ndata:\n  apps:\n");
            }
            text.push_str(&format!(
                "    app{i:07}:\n      image: registry.example.com/app:{i} # pinned\n      replicas: 3\n"
            ))
        }
        "sequence" => text.push_str(&format!(
            "- name: app-{i:07}\n  image: registry.example.com/app:{i}\n  ports: [80, 443]\n"
        )),
        "documents" => text.push_str(&format!(
            "---\n# app {i}\nkind: Deployment\nmetadata:\n  name: app-{i:07}\nspec:\n  containers:\n    - name: app\n      image: registry.example.com/app:{i}\n"
        )),
        "nesting" => {
            text.push_str(&format!("group{i:07}:\n"));
            for d in 0..DEPTH {
                text.push_str(&" ".repeat(2 * (d + 1)));
                text.push_str(&format!("l{d:02}:"));
                text.push_str(if d + 1 == DEPTH { " leaf\n" } else { "\n" });
            }
        }
        "long lines" => {
            text.push_str(&format!("key{i:07}: "));
            for w in 0..1500 {
                text.push_str(["alpha ", "beta ", "gamma ", "delta "][(w + i) % 4]);
            }
            text.push_str("end\n");
        }
        "block scalars" => {
            text.push_str(&format!("job{i:07}:\n  image: registry.example.com/app:{i}\n  script: |\n"));
            for l in 0..40 {
                text.push_str(&format!("    echo \"step {l} of job {i}: key: value # not a comment\"\n"));
            }
        }
        _ => unreachable!("unknown shape {shape}"),
    }
    };
    while text.len() < bytes {
        unit(&mut text, n);
        n += 1;
    }
    let t = n.saturating_sub(2);
    let path = match shape {
        "mapping" => format!("key{t:07}.image"),
        "under one key" => format!("data.apps.app{t:07}.image"),
        "sequence" => format!("[name=app-{t:07}].image"),
        "documents" => "spec.containers[name=app].image".to_string(),
        "nesting" => {
            let chain: Vec<String> = (0..DEPTH).map(|d| format!("l{d:02}")).collect();
            format!("group{t:07}.{}", chain.join("."))
        }
        "long lines" => format!("key{t:07}"),
        _ => format!("job{t:07}.image"),
    };
    Rung {
        text,
        edit: (path, "registry.example.com/app:new".to_string()),
        select: (shape == "documents").then(|| format!("metadata.name=app-{t:07}")),
    }
}

/// The edit of a rung, as `apply_edits` takes it.
pub fn edits(r: &Rung) -> Vec<Edit> {
    let e = Edit::set(r.edit.0.clone(), r.edit.1.clone());
    vec![match &r.select {
        Some(s) => e.select(s.clone()),
        None => e,
    }]
}

/// Runs the ladder up to `max_mb`; returns false when a shape grows faster than allowed.
pub fn run(max_mb: usize, shapes: &[String], runs: usize) -> bool {
    println!("| shape | size | CPU ms/edit (median) | CPU ms (min) | wall ms (median) | MB/s (CPU) | time ÷ 1 MB rung | peak heap ÷ input |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    let mut ok = true;
    for shape in SHAPES
        .iter()
        .filter(|s| shapes.is_empty() || shapes.iter().any(|f| s.contains(f.as_str())))
    {
        let mut first: Option<(f64, f64)> = None;
        let mut mb = 1;
        while mb <= max_mb {
            let r = rung(shape, mb * 1_000_000);
            let e = edits(&r);
            let peak = peak_of(|| {
                let out = apply_edits(&r.text, &e).expect("ladder edit");
                assert!(out.changed(), "{shape} {mb} MB: nothing changed");
            });
            // The CPU clock ticks coarsely (4 ms here): a fast edit is timed in batches of
            // `reps` of at least 200 ms, and each sample is the batch divided by `reps`.
            let (once, _) = timed(|| {
                std::hint::black_box(apply_edits(&r.text, &e).expect("ladder edit"));
            });
            let reps = (0.2 / once.as_secs_f64().max(1e-6)).ceil().clamp(1.0, 1e4) as u32;
            let mut wall = Vec::new();
            let mut cpu = Vec::new();
            for _ in 0..runs {
                let (w, c) = timed(|| {
                    for _ in 0..reps {
                        std::hint::black_box(apply_edits(&r.text, &e).expect("ladder edit"));
                    }
                });
                wall.push(w / reps);
                cpu.extend(c.map(|c| c / reps));
            }
            wall.sort();
            cpu.sort();
            // The ratio uses CPU time where it is known: on a loaded machine wall time mostly
            // measures the other processes.
            let median = cpu.get(runs / 2).unwrap_or(&wall[runs / 2]).as_secs_f64();
            let mb_in = r.text.len() as f64 / 1e6;
            let per_mb = median / mb_in;
            let (first_time, first_per_mb) = *first.get_or_insert((median, per_mb));
            let growth = per_mb / first_per_mb;
            let ms = |d: Option<&Duration>| {
                d.map_or("–".into(), |d| format!("{:.1}", d.as_secs_f64() * 1e3))
            };
            println!(
                "| {shape} | {mb} MB | {} | {} | {} | {:.1} | {:.1} | {:.1} |",
                ms(cpu.get(runs / 2)),
                ms(cpu.first()),
                ms(wall.get(runs / 2)),
                mb_in / median,
                median / first_time,
                peak as f64 / r.text.len() as f64
            );
            if mb > 1 && growth > MAX_GROWTH_PER_MB {
                eprintln!("ladder: {shape} at {mb} MB costs {growth:.2}× per MB what 1 MB does (limit {MAX_GROWTH_PER_MB})");
                ok = false;
            }
            mb *= 2;
        }
    }
    ok
}

/// Writes every rung up to `max_mb` and its edit into `dir/ladder.tsv` (file, path, value,
/// selector or `-`, shape, MB) for the wasm comparison.
pub fn write(dir: &str, max_mb: usize) {
    std::fs::create_dir_all(dir).expect("create the output directory");
    let mut index = String::new();
    for shape in SHAPES {
        let mut mb = 1;
        while mb <= max_mb {
            let r = rung(shape, mb * 1_000_000);
            let file = format!("ladder-{}-{mb}.yaml", shape.replace(' ', "-"));
            std::fs::write(std::path::Path::new(dir).join(&file), &r.text).expect("write");
            let select = r.select.as_deref().unwrap_or("-");
            index.push_str(&format!(
                "{file}\t{}\t{}\t{select}\t{shape}\t{mb}\n",
                r.edit.0, r.edit.1
            ));
            mb *= 2;
        }
    }
    std::fs::write(std::path::Path::new(dir).join("ladder.tsv"), index).expect("write");
}
