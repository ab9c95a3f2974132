//! One thread that owns the hot-path write connection (claim, complete, start, heartbeat).
//!
//! sqlx runs each SQLite statement on its connection's worker thread and hands the result back
//! through a channel: a few microseconds of SQLite work cost tens of microseconds of hand-offs,
//! several times per step. Here a job is a closure that runs all of a batch's statements on this
//! thread, with prepared statements cached on the connection, and the jobs that queued while the
//! previous transaction ran share the next one (group commit): each job gets its own savepoint,
//! so one job's error rolls back only its own writes, and no caller hears back before the
//! transaction holding its writes has committed.
//!
//! The cold paths (control, signals, schedules, domain records) keep using sqlx's one-connection
//! writer pool on the same file. Both sides begin write transactions with `BEGIN IMMEDIATE` and
//! wait on SQLite's busy timeout, so neither can fail a read-then-write on a stale snapshot.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::Error;

/// Sends a job's result once the transaction holding its writes has settled.
type Finish = Box<dyn FnOnce(Result<(), rusqlite::Error>) + Send>;
/// Runs a job's statements (or learns that its transaction could not begin); `true` when they
/// succeeded and should be kept.
type Job = Box<dyn FnOnce(Result<&Connection, &rusqlite::Error>) -> (bool, Finish) + Send>;

/// Jobs that may share one transaction: enough to amortise the commit, few enough that one
/// caller's wait stays short.
const MAX_JOBS_PER_COMMIT: usize = 64;

pub(crate) struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    /// Opens the write connection on the database file and starts its thread; the thread ends
    /// when the `Writer` is dropped.
    pub fn open(path: &Path, busy_timeout: Duration) -> Result<Writer, Error> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(busy_timeout)?;
        conn.pragma_update(None, "journal_mode", "wal")?;
        conn.pragma_update(None, "synchronous", "normal")?;
        conn.pragma_update(None, "temp_store", "memory")?;
        // As sqlx sets on its connections (its default), so both writers check the same rules.
        conn.pragma_update(None, "foreign_keys", "on")?;
        conn.set_prepared_statement_cache_capacity(64);
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("aura-sqlite-writer".into())
            .spawn(move || serve(conn, queue))
            .map_err(|e| Error::Corrupt(format!("cannot start the SQLite writer thread: {e}")))?;
        Ok(Writer { jobs })
    }

    /// Runs `job` inside a write transaction on the writer thread and returns its result after
    /// the commit. An error from `job` undoes its writes (and only its).
    pub async fn run<R, F>(&self, job: F) -> Result<R, Error>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> Result<R, Error> + Send + 'static,
    {
        let (reply, answer) = tokio::sync::oneshot::channel::<Result<R, Error>>();
        let job: Job = Box::new(move |conn| {
            let result = match conn {
                Ok(conn) => job(conn),
                Err(e) => Err(Error::Sqlite(duplicate(e))),
            };
            let keep = result.is_ok();
            let finish: Finish = Box::new(move |committed| {
                let _ = reply.send(committed.map_err(Error::Sqlite).and(result));
            });
            (keep, finish)
        });
        self.jobs.send(job).map_err(|_| Error::Corrupt("the SQLite writer thread has stopped".into()))?;
        answer
            .await
            .map_err(|_| Error::Corrupt("a SQLite writer job was lost (it panicked or its transaction broke)".into()))?
    }
}

fn serve(conn: Connection, queue: mpsc::Receiver<Job>) {
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_JOBS_PER_COMMIT {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        run_batch(&conn, batch);
    }
}

fn run_batch(conn: &Connection, batch: Vec<Job>) {
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
        for job in batch {
            if let Ok((_, finish)) = catch_unwind(AssertUnwindSafe(|| job(Err(&e)))) {
                finish(Err(duplicate(&e)));
            }
        }
        return;
    }
    let mut finishes = Vec::with_capacity(batch.len());
    let mut broken = None;
    for job in batch {
        if let Err(e) = conn.execute_batch("SAVEPOINT job") {
            broken = Some(e);
            break;
        }
        // A panicking job loses its reply (the caller sees an error) but not the thread.
        let outcome = catch_unwind(AssertUnwindSafe(|| job(Ok(conn))));
        let keep = matches!(outcome, Ok((true, _)));
        let undo = if keep { "RELEASE job" } else { "ROLLBACK TO job; RELEASE job" };
        if let Err(e) = conn.execute_batch(undo) {
            broken = Some(e);
            break;
        }
        if let Ok((_, finish)) = outcome {
            finishes.push(finish);
        }
    }
    let settled = match broken {
        Some(e) => Err(e),
        None => conn.execute_batch("COMMIT"),
    };
    match settled {
        Ok(()) => finishes.into_iter().for_each(|finish| finish(Ok(()))),
        Err(e) => {
            if !conn.is_autocommit() {
                let _ = conn.execute_batch("ROLLBACK");
            }
            finishes.into_iter().for_each(|finish| finish(Err(duplicate(&e))));
        }
    }
}

/// rusqlite errors are not `Clone`; a commit failure is reported to every job of the batch.
fn duplicate(e: &rusqlite::Error) -> rusqlite::Error {
    match e {
        rusqlite::Error::SqliteFailure(code, message) => rusqlite::Error::SqliteFailure(*code, message.clone()),
        other => rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ERROR),
            Some(other.to_string()),
        ),
    }
}
