//! A scan segment driven on a Tokio task of its own (feature `rt-tokio`),
//! when the scan is read on a multi-threaded Tokio runtime: the segment's
//! responses are parsed and its pages decoded on whichever core is free,
//! as a hand-written parallel scan with a task per segment does, instead
//! of all segments taking turns on the task that reads the scan.
//!
//! The task starts when the segment is first polled, so the scan's
//! concurrency bound still decides how many segments run at once. Pages
//! are handed over through a channel of one: a segment reads at most one
//! page ahead of its reader. Dropping the scan aborts the tasks; a panic
//! in a task is resumed in the reader, as it would have happened there.

use futures::channel::mpsc;
use futures::stream::{self, BoxStream};
use futures::{SinkExt, Stream, StreamExt};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::runtime::{Handle, RuntimeFlavor};
use tokio::task::JoinHandle;

/// `segment`, driven on its own task when the current runtime is a
/// multi-threaded Tokio runtime; as it is otherwise.
pub(crate) fn on_own_task<P: Send + 'static>(
    segment: BoxStream<'static, P>,
) -> BoxStream<'static, P> {
    stream::once(async move {
        match Handle::try_current() {
            Ok(handle) if handle.runtime_flavor() == RuntimeFlavor::MultiThread => {
                spawn(&handle, segment).boxed()
            }
            _ => segment,
        }
    })
    .flatten()
    .boxed()
}

fn spawn<P: Send + 'static>(handle: &Handle, mut segment: BoxStream<'static, P>) -> Spawned<P> {
    let (mut pages, received) = mpsc::channel(0);
    let task = async move {
        while let Some(page) = segment.next().await {
            if pages.send(page).await.is_err() {
                break; // the reader is gone
            }
        }
    };
    // The segment's request spans stay under the span the scan is read in.
    #[cfg(feature = "tracing")]
    let task = tracing::Instrument::in_current_span(task);
    Spawned {
        received,
        task: Some(handle.spawn(task)),
    }
}

/// The reading end of a spawned segment.
struct Spawned<P> {
    received: mpsc::Receiver<P>,
    /// Until the task is seen to end.
    task: Option<JoinHandle<()>>,
}

impl<P> Stream for Spawned<P> {
    type Item = P;

    // The one panic: a runtime shut down under a running read (only that
    // cancels the task: the reader aborts it only when dropped). The rest
    // of the segment is then unread, and ending the stream would pass for
    // its end; Tokio's own timers and sockets panic the same way when
    // their runtime is gone.
    #[allow(clippy::panic)]
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<P>> {
        if let Some(page) = futures::ready!(self.received.poll_next_unpin(cx)) {
            return Poll::Ready(Some(page));
        }
        // The channel closed: the task ended, or panicked (which drops
        // the sender too). A panic goes on in the reader, not lost with
        // the rest of the segment.
        if let Some(task) = self.task.as_mut() {
            let ended = futures::ready!(Pin::new(task).poll(cx));
            self.task = None;
            if let Err(error) = ended {
                if error.is_panic() {
                    std::panic::resume_unwind(error.into_panic());
                }
                panic!("the Tokio runtime shut down while a scan segment was read on it");
            }
        }
        Poll::Ready(None)
    }
}

impl<P> Drop for Spawned<P> {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}
