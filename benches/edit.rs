//! `cargo bench --bench edit`: how fast the core parses, reads and edits real and generated
//! YAML, against serde_yaml's full parse of the same text for context.
//!
//! A small self-timing harness (no benchmark crate): each operation is warmed up, then run
//! for a time budget (at least [`MIN_ITERS`] times); the table shows the median and the
//! minimum time per operation and the median throughput over the whole input. The run fails
//! when editing the 20 MB file costs more than [`MAX_LINEARITY`] times editing the 2 MB one.
//!
//! Arguments: words that do not start with `-` keep only the rows whose input and operation
//! names contain all of them (`cargo bench --bench edit -- redis edit`). `BENCH_SECONDS` sets the
//! budget per row (default 1.5). `--write-inputs DIR` writes the inputs and the edit of each
//! (`DIR/inputs.tsv`) for `benches/peers.sh`, and measures nothing.
//!
//! `--ladder` runs the size ladder instead (see `ladder.rs`): every file shape at 1, 2, 4 …
//! `LADDER_MB` MB (default 16), `LADDER_RUNS` timed edits per rung (default 3); the words
//! keep only the shapes that contain one of them. `--write-ladder DIR` writes its inputs.
//!
//! `--profile FILE PATH VALUE [RUNS]` times the parts of one edit of one file (see
//! `profile.rs`), for a profiler.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use gitops_bump::{apply_edits, get_values, Edit, GetOptions, Stream};
use serde::Deserialize;

#[path = "edit/ladder.rs"]
mod ladder;
#[path = "edit/profile.rs"]
mod profile;

#[global_allocator]
static HEAP: ladder::Counting = ladder::Counting;

/// Fewest measured iterations per row.
const MIN_ITERS: usize = 5;
/// Most measured iterations per row.
const MAX_ITERS: usize = 20_000;
/// 20 MB edit time over 2 MB edit time may be at most this.
const MAX_LINEARITY: f64 = 12.0;

/// What the benchmark does with one input.
struct Input {
    name: String,
    text: String,
    documents: usize,
    /// A deep path to read.
    get: String,
    /// A path whose value is an image or tag, and the new value.
    edit: (String, String),
    /// For multi-document inputs: a document selector that narrows to the edited document.
    select: Option<String>,
}

fn shared_corpus() -> Option<PathBuf> {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    [
        here.join("../shared/corpus/real"),
        here.join("shared/corpus/real"),
    ]
    .into_iter()
    .find(|p| p.is_dir())
}

fn read_corpus(rel: &str) -> Option<String> {
    let path = shared_corpus()?.join(rel);
    std::fs::read_to_string(path).ok()
}

fn inputs() -> Vec<Input> {
    let mut out = vec![Input {
        name: "deployment 3 KB".into(),
        text: include_str!("data/deployment.yaml").to_string(),
        documents: 1,
        get: "spec.template.spec.containers[name=api].resources.limits.memory".into(),
        edit: (
            "spec.template.spec.containers[name=api].image".into(),
            "ghcr.io/acme/api:1.25.0".into(),
        ),
        select: None,
    }];
    match read_corpus("bitnami__charts/bitnami/redis/values.yaml") {
        Some(text) => out.push(Input {
            name: "redis values.yaml".into(),
            text,
            documents: 1,
            get: "sentinel.containerSecurityContext.seccompProfile.type".into(),
            edit: ("image.tag".into(), "8.2.2-debian-12-r0".into()),
            select: None,
        }),
        None => eprintln!("skipped: bitnami redis values.yaml (../shared/corpus not found)"),
    }
    match read_corpus("argoproj__argo-cd/manifests/install.yaml") {
        Some(text) => out.push(Input {
            name: "argo-cd install.yaml".into(),
            documents: count_documents(&text),
            text,
            get: "spec.template.spec.containers[name=argocd-server].readinessProbe.httpGet.path"
                .into(),
            edit: (
                "spec.template.spec.containers[name=argocd-server].image".into(),
                "quay.io/argoproj/argocd:v3.1.9".into(),
            ),
            select: Some("kind=Deployment,metadata.name=argocd-server".into()),
        }),
        None => eprintln!("skipped: argo-cd install.yaml (../shared/corpus not found)"),
    }
    for mb in [2, 20] {
        let (text, documents, app) = generate(mb * 1_000_000);
        out.push(Input {
            name: format!("generated {mb} MB"),
            text,
            documents,
            get: format!("spec.template.spec.containers[name={app}].resources.limits.memory"),
            edit: (
                format!("spec.template.spec.containers[name={app}].image"),
                format!("registry.example.com/shop/{app}:2.0.0"),
            ),
            select: Some(format!("kind=Deployment,metadata.name={app}")),
        });
    }
    out
}

fn count_documents(text: &str) -> usize {
    Stream::parse(text).map_or(0, |s| s.docs.len())
}

/// A deterministic stream of Deployment/Service/ConfigMap triples of at least `bytes` bytes.
/// Returns the text, its document count, and the app in the middle (the edit's target).
fn generate(bytes: usize) -> (String, usize, String) {
    let mut text = String::with_capacity(bytes + 4096);
    let mut rng = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move |n: u64| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng % n
    };
    let mut apps = 0;
    while text.len() < bytes {
        let app = format!("app-{apps:05}");
        let team = ["checkout", "search", "payments", "catalog", "identity"][next(5) as usize];
        let (major, minor, patch) = (next(4) + 1, next(30), next(12));
        let port = 8000 + next(100);
        let replicas = next(6) + 1;
        let memory = [128, 256, 512, 1024][next(4) as usize];
        if apps > 0 {
            text.push_str("---\n");
        }
        text.push_str(&format!(
            r#"# {app}: owned by team {team}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {app}
  namespace: {team}
  labels:
    app.kubernetes.io/name: {app}
    app.kubernetes.io/part-of: {team}
    app.kubernetes.io/version: "{major}.{minor}.{patch}"
  annotations:
    argocd.argoproj.io/sync-wave: "{wave}"
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app.kubernetes.io/name: {app}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {app}
      annotations:
        prometheus.io/scrape: "true"
    spec:
      serviceAccountName: {app}
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
      containers:
        - name: {app}
          image: registry.example.com/{team}/{app}:{major}.{minor}.{patch} # {{"$imagepolicy": "flux-system:{app}"}}
          imagePullPolicy: IfNotPresent
          args: ["--listen=:{port}", "--log-format=json"]
          ports:
            - name: http
              containerPort: {port}
          env:
            - name: LOG_LEVEL
              value: info
            - name: CONFIG_PATH
              value: /etc/{app}/config.yaml
          envFrom:
            - configMapRef:
                name: {app}-env
          readinessProbe:
            httpGet:
              path: /healthz
              port: http
            periodSeconds: 10
          resources:
            requests:
              cpu: {cpu}m
              memory: {half}Mi
            limits:
              memory: {memory}Mi
          volumeMounts:
            - name: config
              mountPath: /etc/{app}
      volumes:
        - name: config
          configMap:
            name: {app}-config
---
apiVersion: v1
kind: Service
metadata:
  name: {app}
  namespace: {team}
  labels:
    app.kubernetes.io/name: {app}
spec:
  type: ClusterIP
  selector:
    app.kubernetes.io/name: {app}
  ports:
    - name: http
      port: 80
      targetPort: http
      protocol: TCP
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {app}-config
  namespace: {team}
data:
  config.yaml: |
    server:
      port: {port}
      timeout: {timeout}s
    features:
      - name: fast-path
        enabled: {flag}
  LOG_FORMAT: json
  CACHE_TTL: "{ttl}"
"#,
            wave = next(5),
            cpu = 50 * (next(8) + 1),
            half = memory / 2,
            timeout = next(60) + 1,
            flag = next(2) == 0,
            ttl = next(3600),
        ));
        apps += 1;
    }
    let target = format!("app-{:05}", apps / 2);
    (text, apps * 3, target)
}

/// Times of one row.
struct Timing {
    median: Duration,
    min: Duration,
    iters: usize,
}

fn measure(budget: Duration, mut op: impl FnMut()) -> Timing {
    // Warm-up: at least one run, and up to a fifth of the budget.
    let warm = Instant::now();
    let mut warm_runs = 0u32;
    while warm_runs == 0 || (warm.elapsed() < budget / 5 && warm_runs < 1000) {
        op();
        warm_runs += 1;
    }
    let per = warm.elapsed() / warm_runs;
    let iters = (budget.as_secs_f64() / per.as_secs_f64().max(1e-9)) as usize;
    let iters = iters.clamp(MIN_ITERS, MAX_ITERS);
    let mut times = Vec::with_capacity(iters);
    for _ in 0..iters {
        let t = Instant::now();
        op();
        times.push(t.elapsed());
    }
    times.sort();
    Timing {
        median: times[times.len() / 2],
        min: times[0],
        iters,
    }
}

fn serde_yaml_parse(text: &str) -> Vec<serde_yaml::Value> {
    serde_yaml::Deserializer::from_str(text)
        .map(|d| serde_yaml::Value::deserialize(d).expect("serde_yaml reads the input"))
        .collect()
}

fn saphyr_events(text: &str) -> usize {
    let mut parser = saphyr_parser::Parser::new_from_str(text);
    let mut n = 0;
    while let Some(ev) = parser.next_event() {
        let (ev, _span) = ev.expect("saphyr-parser reads the input");
        n += 1;
        if matches!(ev, saphyr_parser::Event::StreamEnd) {
            break;
        }
    }
    n
}

/// One operation of a row: its name and what it runs once.
type Op<'a> = (String, Box<dyn FnMut() + 'a>);

fn operations(input: &Input) -> Vec<Op<'_>> {
    let text = input.text.as_str();
    let (path, value) = (&input.edit.0, &input.edit.1);
    let one_edit = [Edit::set(path.clone(), value.clone())];
    let mut ops: Vec<Op<'_>> = vec![
        (
            "Stream::parse".into(),
            Box::new(move || {
                black_box(Stream::parse(black_box(text)).expect("parses"));
            }),
        ),
        (
            format!("get {}", input.get),
            Box::new(move || {
                let found = get_values(black_box(text), &input.get, &GetOptions::default());
                assert_eq!(found.expect("get").len(), 1);
            }),
        ),
        (
            format!("edit {path}"),
            Box::new(move || {
                let out = apply_edits(black_box(text), &one_edit).expect("edit");
                assert!(out.changed());
                black_box(out);
            }),
        ),
    ];
    if let Some(sel) = &input.select {
        let opts = GetOptions {
            all: false,
            select: Some(sel.clone()),
        };
        let sel_edit = [Edit::set(path.clone(), value.clone()).select(sel.clone())];
        ops.push((
            format!("get (selector {sel})"),
            Box::new(move || {
                let found = get_values(black_box(text), &input.get, &opts);
                assert_eq!(found.expect("get with selector").len(), 1);
            }),
        ));
        ops.push((
            "edit (same, with the selector)".into(),
            Box::new(move || {
                let out = apply_edits(black_box(text), &sel_edit).expect("edit with selector");
                assert!(out.changed());
                black_box(out);
            }),
        ));
    }
    ops.push((
        "context: saphyr-parser events only".into(),
        Box::new(move || {
            black_box(saphyr_events(black_box(text)));
        }),
    ));
    ops.push((
        "context: serde_yaml full parse".into(),
        Box::new(move || {
            black_box(serde_yaml_parse(black_box(text)));
        }),
    ));
    ops
}

fn size(bytes: usize) -> String {
    if bytes >= 1_000_000 {
        format!("{:.1} MB", bytes as f64 / 1e6)
    } else {
        format!("{:.1} KB", bytes as f64 / 1e3)
    }
}

/// Runs every operation once on every input but the largest.
fn smoke_test() {
    let mut n = 0;
    for input in inputs().iter().filter(|i| i.text.len() < 10_000_000) {
        for (_, mut op) in operations(input) {
            op();
            n += 1;
        }
    }
    for shape in ladder::SHAPES {
        let r = ladder::rung(shape, 100_000);
        let out = apply_edits(&r.text, &ladder::edits(&r)).expect("ladder edit");
        assert!(out.changed(), "ladder {shape}: nothing changed");
        n += 1;
    }
    println!(
        "edit bench, test mode: {n} operations ran once (measure with `cargo bench --bench edit`)"
    );
}

/// Writes every input, and what `benches/peers.sh` does with it, into `dir`.
fn write_inputs(dir: &str) {
    std::fs::create_dir_all(dir).expect("create the output directory");
    let mut index = String::new();
    for (i, input) in inputs().iter().enumerate() {
        let file = format!("{i}.yaml");
        std::fs::write(std::path::Path::new(dir).join(&file), &input.text).expect("write");
        // One line per input: file, path, value, selector (tab-separated; `-` for none).
        index.push_str(&format!(
            "{file}\t{}\t{}\t{}\t{}\n",
            input.edit.0,
            input.edit.1,
            input.select.as_deref().unwrap_or("-"),
            input.name
        ));
    }
    std::fs::write(std::path::Path::new(dir).join("inputs.tsv"), index).expect("write");
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(i) = args.iter().position(|a| a == "--write-inputs") {
        write_inputs(
            args.get(i + 1)
                .map_or("target/bench-inputs", String::as_str),
        );
        return;
    }
    let env = |k: &str, d: usize| {
        std::env::var(k)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(d)
    };
    if let Some(i) = args.iter().position(|a| a == "--write-ladder") {
        let dir = args
            .get(i + 1)
            .map_or("target/bench-inputs", String::as_str);
        ladder::write(dir, env("LADDER_MB", 16));
        return;
    }
    if let Some(i) = args.iter().position(|a| a == "--profile") {
        profile::run(&args[i + 1..]);
        return;
    }
    if args.iter().any(|a| a == "--ladder") {
        let shapes: Vec<String> = args
            .iter()
            .filter(|a| !a.starts_with('-'))
            .cloned()
            .collect();
        if !ladder::run(env("LADDER_MB", 16), &shapes, env("LADDER_RUNS", 3).max(1)) {
            std::process::exit(1);
        }
        return;
    }
    // `cargo bench` passes `--bench`; `cargo test --all-targets` runs this binary without it:
    // then each operation runs once, as a smoke test, without the 20 MB input.
    if !args.iter().any(|a| a == "--bench") {
        smoke_test();
        return;
    }
    let filters: Vec<String> = args.into_iter().filter(|a| !a.starts_with('-')).collect();
    let budget = Duration::from_secs_f64(
        std::env::var("BENCH_SECONDS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(1.5),
    );
    let keep = |input: &str, op: &str| {
        let row = format!("{input} {op}");
        filters.iter().all(|f| row.contains(f.as_str()))
    };
    let mut edit_medians = Vec::new();
    println!(
        "| input | size | docs | operation | median µs/op | min µs/op | MB/s (median) | runs |"
    );
    println!("|---|---:|---:|---|---:|---:|---:|---:|");
    for input in inputs() {
        for (op_name, mut op) in operations(&input) {
            if !keep(&input.name, &op_name) {
                continue;
            }
            let t = measure(budget, &mut op);
            let us = |d: Duration| d.as_secs_f64() * 1e6;
            let mbs = input.text.len() as f64 / 1e6 / t.median.as_secs_f64();
            println!(
                "| {} | {} | {} | {} | {:.1} | {:.1} | {:.1} | {} |",
                input.name,
                size(input.text.len()),
                input.documents,
                op_name,
                us(t.median),
                us(t.min),
                mbs,
                t.iters
            );
            if input.name.starts_with("generated") && op_name.starts_with("edit ") {
                edit_medians.push((op_name.clone(), t.median));
            }
        }
    }
    // The generated inputs each have one plain and one selector edit row: 2 MB first.
    let mut too_slow = false;
    if let [(_, s_plain), (_, s_sel), (_, l_plain), (_, l_sel)] = edit_medians[..] {
        println!();
        for (what, small, large) in [
            ("edit", s_plain, l_plain),
            ("edit with selector", s_sel, l_sel),
        ] {
            let ratio = large.as_secs_f64() / small.as_secs_f64();
            println!(
                "linearity: {what}, generated 20 MB / generated 2 MB = {ratio:.2} (limit {MAX_LINEARITY})"
            );
            too_slow |= ratio > MAX_LINEARITY;
        }
    }
    if too_slow {
        eprintln!("FAIL: editing 10x the text costs more than {MAX_LINEARITY}x the time");
        std::process::exit(1);
    }
}
