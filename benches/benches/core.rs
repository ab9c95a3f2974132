//! Pure-core micro-benchmarks: DAG construction, the state machine driving a 1,000-step
//! execution to completion (the ready-set computation), progress/ETA, and package parsing.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use engine::progress;
use engine::{Dag, RunState, StepIdx, StepOutcome, StepStatus};

/// A layered DAG: `width` steps per layer, each depending on two steps of the previous layer.
fn layered(steps: usize, width: usize) -> Vec<Vec<StepIdx>> {
    (0..steps)
        .map(|i| {
            if i < width {
                Vec::new()
            } else {
                let layer_start = (i / width - 1) * width;
                let a = layer_start + i % width;
                let b = layer_start + (i + 1) % width;
                let mut deps = vec![StepIdx::from_index(a)];
                if b != a {
                    deps.push(StepIdx::from_index(b));
                }
                deps
            }
        })
        .collect()
}

fn package_source(steps: usize) -> String {
    let mut s = String::from("name = \"bench\"\n");
    for i in 0..steps {
        s.push_str(&format!("[[steps]]\nid = \"s{i}\"\nhandler = \"noop\"\n"));
        if i > 0 {
            s.push_str(&format!("depends_on = [\"s{}\"]\n", i - 1));
        }
    }
    s
}

fn benches(c: &mut Criterion) {
    let deps = layered(1000, 20);
    c.bench_function("dag_build_1000", |b| b.iter(|| Dag::new(black_box(&deps)).unwrap()));

    let dag = Dag::new(&deps).unwrap();
    c.bench_function("run_1000_steps_to_completion", |b| {
        b.iter(|| {
            let mut run = RunState::new(&dag);
            let mut ready: Vec<StepIdx> = run.claimable().collect();
            while let Some(step) = ready.pop() {
                run.claim(step).unwrap();
                for change in run.finish(&dag, step, StepOutcome::Succeeded).unwrap() {
                    if change.to == StepStatus::Ready {
                        ready.push(change.step);
                    }
                }
            }
            assert!(run.status == engine::ExecutionStatus::Completed);
            run
        })
    });

    let estimates = vec![Duration::from_secs(3); 1000];
    let mut statuses = vec![StepStatus::Pending; 1000];
    statuses[..500].fill(StepStatus::Succeeded);
    statuses[500..520].fill(StepStatus::Running);
    c.bench_function("progress_and_eta_1000", |b| {
        b.iter(|| {
            let p = progress::progress(black_box(&statuses), &estimates);
            let left = progress::time_remaining(&dag, &statuses, &estimates, |_| Duration::from_secs(1));
            (p, left)
        })
    });

    let source = package_source(100);
    c.bench_function("parse_package_100_steps", |b| {
        b.iter(|| engine::Package::parse(black_box(&source), &|_| true).unwrap())
    });
}

criterion_group!(core, benches);
criterion_main!(core);
