//! Batches that close when a level of the answer is resolved, not on a timer.
//!
//! A batch loader gathers the keys its resolvers ask for and then runs one query for all of
//! them. On a timer, a level that takes longer to resolve than the window (a large page, a
//! busy machine) splits into several queries, so the statement count grows with the answer.
//! Here a batch waits instead until the request's execution can make no further progress
//! without it: every resolver of the level has asked for its keys by then. Execution is driven
//! by [`Levels::drive`], which opens the gate each time the execution stops to wait.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Wake, Waker};

use futures::future::BoxFuture;
use tokio::sync::watch;

/// The gate of one HTTP request's execution (shared by the operations of a batch request).
#[derive(Debug)]
pub struct Levels {
    /// How many times the execution has stopped to wait; a batch spawned before stop `n` may
    /// run once the count passes `n`.
    waits: watch::Sender<u64>,
}

impl Default for Levels {
    fn default() -> Self {
        Self {
            waits: watch::Sender::new(0),
        }
    }
}

impl Levels {
    /// Runs `execution`, opening the gate each time it waits. A pause in which the execution
    /// woke itself is not a wait: lists of many fields yield now and then with work still to
    /// do (to be fair to other tasks), and a batch must not close on such a pause.
    pub async fn drive<F: Future>(&self, execution: F) -> F::Output {
        let mut execution = pin!(execution);
        std::future::poll_fn(|cx| {
            let woken = Arc::new(WokenFlag {
                woken: AtomicBool::new(false),
                task: cx.waker().clone(),
            });
            let waker = Waker::from(woken.clone());
            let poll = execution.as_mut().poll(&mut Context::from_waker(&waker));
            if poll.is_pending() && !woken.woken.load(Ordering::SeqCst) {
                self.waits.send_modify(|waits| *waits += 1);
            }
            poll
        })
        .await
    }

    /// The loader's spawner: each batch waits at the gate, then runs on the runtime, so its
    /// query overlaps whatever else the server is doing.
    pub(super) fn spawner(&self) -> impl Fn(BoxFuture<'static, ()>) + Send + Sync + 'static {
        let waits = self.waits.subscribe();
        move |batch| {
            let mut waits = waits.clone();
            let spawned_at = *waits.borrow_and_update();
            tokio::spawn(async move {
                // An error means the request is gone (cancelled or timed out): nobody waits
                // for the batch any more.
                if waits.wait_for(|&now| now > spawned_at).await.is_ok() {
                    batch.await;
                }
            });
        }
    }
}

/// Wakes the task and remembers that it was woken.
struct WokenFlag {
    woken: AtomicBool,
    task: Waker,
}

impl Wake for WokenFlag {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::SeqCst);
        self.task.wake_by_ref();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use super::*;

    /// Keys asked for while the execution is busy land in one batch however long the level
    /// takes to resolve, where a timer would have split them.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_level_is_one_batch_however_slow() {
        let levels = Levels::default();
        let spawn = levels.spawner();
        let batches = Arc::new(AtomicUsize::new(0));
        let during_the_level = levels
            .drive(async {
                let (tx, rx) = tokio::sync::oneshot::channel::<()>();
                let counted = batches.clone();
                spawn(Box::pin(async move {
                    counted.fetch_add(1, Ordering::SeqCst);
                    tx.send(()).ok();
                }));
                // A slow level: the batch must not run while it is still being resolved.
                std::thread::sleep(std::time::Duration::from_millis(30));
                let during = batches.load(Ordering::SeqCst);
                rx.await.ok();
                during
            })
            .await;
        assert_eq!(during_the_level, 0);
        assert_eq!(batches.load(Ordering::SeqCst), 1);
    }
}
