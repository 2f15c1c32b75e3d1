//! What a stream client hands its subscriber to keep: the socket and the
//! tasks that drive it (the reader, and a keep-alive where the venue wants
//! one). Dropping it closes the socket and stops the tasks, so a dropped
//! subscription leaves nothing running.

use crate::net::WsClient;
use tokio::task::JoinHandle;

/// A socket and its tasks, ended together.
#[derive(Debug)]
pub(crate) struct RunningStream {
    ws: WsClient,
    tasks: Vec<JoinHandle<()>>,
}

impl RunningStream {
    pub(crate) fn new(ws: WsClient, tasks: impl IntoIterator<Item = JoinHandle<()>>) -> Self {
        RunningStream {
            ws,
            tasks: tasks.into_iter().collect(),
        }
    }
}

impl Drop for RunningStream {
    fn drop(&mut self) {
        // The socket first, so the venue sees a close rather than a reset.
        self.ws.close();
        for task in &self.tasks {
            task.abort();
        }
    }
}
