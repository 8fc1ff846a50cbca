// SPDX-License-Identifier: Apache-2.0
//! Capture thread: dequeues camera frames and hands them on without ever waiting for a stage.

use core::sync::atomic::Ordering::Relaxed;

use facegate_zephyr_abi::{AbiError, Camera, Frame};
use zephyr::sync::channel::{SendError, Sender};

use crate::render::RenderMsg;
use crate::stats;

/// Longest wait for one frame before the loop checks the other stream again.
const DEQUEUE_TIMEOUT_MS: i32 = 100;

const STACK: usize = zephyr::kconfig::CONFIG_FACEGATE_CAPTURE_STACK_SIZE as usize;

/// With a detector stream (`aux`, e.g. DCMIPP pipe_aux), its frames go to inference and the
/// main stream to render. Without one, each main frame goes to inference when it is idle, and
/// otherwise straight to render; inference forwards the frames it took to render itself.
#[zephyr::thread(stack_size = STACK)]
pub fn capture(
    mut main: Camera,
    mut aux: Option<Camera>,
    to_infer: Sender<Frame>,
    to_render: Sender<RenderMsg>,
) {
    if let Some(a) = aux.as_mut() {
        if let Err(e) = a.start() {
            log::warn!("capture: detector stream: {e}; detecting on the preview");
            aux = None;
        }
    }
    if let Err(e) = main.start() {
        log::error!("capture: cannot start streaming: {e}");
        // Returning would drop the channel ends; see threads.rs.
        crate::threads::park();
    }
    loop {
        if let Some(cam) = &aux {
            if let Some(f) = next(cam, 0) {
                if let Err(SendError(f)) = to_infer.try_send(f) {
                    stats::DROPPED_INFER.fetch_add(1, Relaxed);
                    drop(f);
                }
            }
        }
        let Some(f) = next(&main, DEQUEUE_TIMEOUT_MS) else {
            continue;
        };
        let f = if aux.is_none() {
            match to_infer.try_send(f) {
                Ok(()) => continue,
                Err(SendError(f)) => f,
            }
        } else {
            f
        };
        if let Err(SendError(msg)) = to_render.try_send(RenderMsg::Preview(f)) {
            stats::DROPPED_RENDER.fetch_add(1, Relaxed);
            drop(msg);
        }
    }
}

fn next(cam: &Camera, timeout_ms: i32) -> Option<Frame> {
    match cam.next_frame(timeout_ms) {
        Ok(f) => {
            stats::CAPTURED.fetch_add(1, Relaxed);
            Some(f)
        }
        Err(AbiError::Timeout) => None,
        Err(e) => {
            stats::ERRORS.fetch_add(1, Relaxed);
            log::warn!("capture: {:?} stream: {e}", cam.role());
            None
        }
    }
}
