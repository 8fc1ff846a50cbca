// SPDX-License-Identifier: Apache-2.0
//! Inference thread: builds the engine on its own stack (it is tens of KB) and owns it; runs it
//! on each frame it receives, serves shell requests and input events between frames. In
//! self-test mode it runs the self-test instead.

use core::sync::atomic::Ordering::Relaxed;

use facegate_zephyr_abi::{CameraRole, Frame, InputQueue, Store};
use zephyr::sync::channel::{Receiver, SendError, Sender};
use zephyr::time::Duration;

use crate::pipeline::{face_frame, Engine, Reply, Request};
use crate::render::RenderMsg;
use crate::stats;

/// Button and touch events, filled by the input thread (fg_input.c).
pub static INPUT: InputQueue<16> = InputQueue::new();

const STACK: usize = zephyr::kconfig::CONFIG_FACEGATE_INFERENCE_STACK_SIZE as usize;

/// How long to wait for a frame before serving the shell and input again.
const IDLE_MS: u32 = 50;

/// What the inference thread does.
pub enum Job {
    /// The kiosk: frames in, results out, shell requests served.
    Live(Live),
    /// `crate::selftest::run()`.
    SelfTest,
}

/// The live job's store and channels.
pub struct Live {
    /// Gallery store, if the board has one.
    pub store: Option<Store>,
    /// Frames to run on.
    pub frames: Receiver<Frame>,
    /// Results (and forwarded preview frames) for the render thread.
    pub to_render: Sender<RenderMsg>,
    /// Shell requests.
    pub requests: Receiver<Request>,
    /// Shell replies.
    pub replies: Sender<Reply>,
}

#[zephyr::thread(stack_size = STACK)]
pub fn inference(job: Job) {
    match job {
        Job::SelfTest => crate::selftest::run(),
        Job::Live(io) => live(io),
    }
}

fn live(io: Live) {
    let Live {
        store,
        frames,
        to_render,
        requests,
        replies,
    } = io;
    let mut engine = Engine::new(store);
    loop {
        if let Ok(req) = requests.try_recv() {
            // The shell waits with a timeout; if it gave up, drop the stale reply.
            let _ = replies.try_send(engine.handle(req));
        }
        while let Some(ev) = INPUT.pop() {
            engine.input(ev);
        }
        let Ok(frame) = frames.recv_timeout(Duration::millis_at_least(IDLE_MS.into())) else {
            continue;
        };
        let t0 = zephyr::sys::uptime_get();
        let results = match face_frame(&frame) {
            Some(view) => engine.process(&view),
            None => {
                stats::ERRORS.fetch_add(1, Relaxed);
                log::warn!("inference: unsupported frame format {:?}", frame.fourcc());
                continue;
            }
        };
        stats::LAST_INFER_MS.store((zephyr::sys::uptime_get() - t0) as u32, Relaxed);
        stats::INFERRED.fetch_add(1, Relaxed);
        // A detector-stream frame is done; a preview frame goes on to be shown with its boxes.
        let msg = match frame.role() {
            CameraRole::Aux => {
                drop(frame);
                RenderMsg::Results(results)
            }
            CameraRole::Main => RenderMsg::Annotated(frame, results),
        };
        if let Err(SendError(msg)) = to_render.try_send(msg) {
            stats::DROPPED_RENDER.fetch_add(1, Relaxed);
            drop(msg);
        }
    }
}
