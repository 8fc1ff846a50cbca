// SPDX-License-Identifier: Apache-2.0
//! Starts the three pipeline threads and the channels between them.
//!
//! ```text
//!  camera ──capture──┬─(frames, bounded DEPTH)──> inference ──(results/frames)──┐
//!                    └─(preview frames, bounded)──────────────────────────────> render ──> display
//!  shell ──(Request, bounded 1)──> inference ──(Reply, bounded 1)──> shell
//! ```
//! Every send from capture is `try_send`: a busy stage drops the frame (its buffer goes back
//! to the driver on drop) and the camera never waits.
//!
//! zephyr-lang-rust cannot free a channel: dropping the last `Sender` or the last `Receiver`
//! of a bounded channel panics ("Bounded channels cannot be dropped", its sync/channel.rs).
//! So no thread here ever returns while holding channel ends (`park` instead), and ends
//! without a user are leaked with `mem::forget`.
//!
//! | thread    | stack (Kconfig)                   | priority (Kconfig)               |
//! |-----------|-----------------------------------|----------------------------------|
//! | capture   | FACEGATE_CAPTURE_STACK_SIZE 3072  | FACEGATE_CAPTURE_PRIORITY 4      |
//! | render    | FACEGATE_RENDER_STACK_SIZE 12K    | FACEGATE_RENDER_PRIORITY 6       |
//! | inference | FACEGATE_INFERENCE_STACK_SIZE 96K | FACEGATE_INFERENCE_PRIORITY 8    |
//!
//! Lower number = higher priority (Zephyr preemptive priorities): capture preempts render,
//! render preempts the long inference step, so the preview stays live while the CPU is busy.
//! The inference stack holds the engine itself (kiosk stages, tracker, gallery: ~40-50 KB
//! with 32 identities), built there so it is never copied between stacks.

use facegate_zephyr_abi::{Camera, CameraRole, Display, DisplayFormat, Fourcc, Frame, Store};
use zephyr::sync::channel::bounded;

use crate::inference::{Job, Live};
use crate::pipeline::{Reply, Request};
use crate::render::RenderMsg;
use crate::{capture, inference, render, shell};

/// Frames queued per stage (Kconfig FACEGATE_FRAME_QUEUE_DEPTH).
const DEPTH: usize = zephyr::kconfig::CONFIG_FACEGATE_FRAME_QUEUE_DEPTH as usize;
/// Buffers per camera stream (Kconfig FACEGATE_CAMERA_BUFFERS).
const BUFFERS: u32 = zephyr::kconfig::CONFIG_FACEGATE_CAMERA_BUFFERS as u32;

/// Runs the self-test on the inference thread (whose stack is sized for the engine).
pub fn start_selftest() {
    let t = inference::inference(Job::SelfTest);
    t.set_priority(zephyr::kconfig::CONFIG_FACEGATE_INFERENCE_PRIORITY as i32);
    t.start();
}

/// Opens the devices, starts the threads and returns (the threads run forever). A missing
/// camera or display only leaves its thread out.
pub fn start() {
    let display = match open_display() {
        Ok(d) => Some(d),
        Err(e) => {
            log::error!("display: {e}");
            None
        }
    };
    // Preview = display size unless Kconfig says otherwise.
    let (pw, ph) = match (&display, preview_override()) {
        (_, Some(size)) => size,
        (Some(d), None) => (u32::from(d.caps().width), u32::from(d.caps().height)),
        (None, None) => (320, 240),
    };
    let main = Camera::open(CameraRole::Main, Fourcc::RGB565, pw, ph, BUFFERS)
        .map_err(|e| log::error!("camera: main stream {pw}x{ph}: {e}"))
        .ok();
    // The detector stream only makes sense beside a preview stream.
    let aux = main.as_ref().and_then(|_| {
        Camera::open(
            CameraRole::Aux,
            Fourcc::RGB565,
            zephyr::kconfig::CONFIG_FACEGATE_DETECTOR_WIDTH as u32,
            zephyr::kconfig::CONFIG_FACEGATE_DETECTOR_HEIGHT as u32,
            BUFFERS,
        )
        .map_err(|e| log::info!("camera: no detector stream ({e}), detecting on the preview"))
        .ok()
    });
    if let Some(m) = &main {
        log::info!(
            "camera: main {:?}, aux {:?}",
            m.format(),
            aux.as_ref().map(Camera::format)
        );
    }

    let store = Store::init()
        .map_err(|e| log::warn!("store: {e}; gallery kept in RAM only"))
        .ok();

    let (to_infer, infer_rx) = bounded::<Frame>(DEPTH);
    let (to_render, render_rx) = bounded::<RenderMsg>(DEPTH + 1);
    let (req_tx, req_rx) = bounded::<Request>(1);
    let (reply_tx, reply_rx) = bounded::<Reply>(1);
    shell::connect(req_tx, reply_rx);
    crate::inference::INPUT.attach();

    // Without a camera the engine still runs for the shell (list, delete, threshold).
    match main {
        Some(main) => {
            let t = capture::capture(main, aux, to_infer, to_render.clone());
            t.set_priority(zephyr::kconfig::CONFIG_FACEGATE_CAPTURE_PRIORITY as i32);
            t.start();
        }
        // The frame channel's only sender: dropping it would panic (see above).
        None => core::mem::forget(to_infer),
    }

    let t = inference::inference(Job::Live(Live {
        store,
        frames: infer_rx,
        to_render,
        requests: req_rx,
        replies: reply_tx,
    }));
    t.set_priority(zephyr::kconfig::CONFIG_FACEGATE_INFERENCE_PRIORITY as i32);
    t.start();

    match display {
        Some(d) => {
            let t = render::render(d, render_rx);
            t.set_priority(zephyr::kconfig::CONFIG_FACEGATE_RENDER_PRIORITY as i32);
            t.start();
        }
        // The render channel's only receiver: dropping it would panic (see above).
        None => core::mem::forget(render_rx),
    }
}

/// Blocks the calling thread for good, keeping everything it owns (channel ends included)
/// alive; for threads that cannot continue.
pub fn park() -> ! {
    loop {
        zephyr::time::sleep(zephyr::time::Forever);
    }
}

fn open_display() -> facegate_zephyr_abi::Result<Display> {
    let mut d = Display::open()?;
    // RGB565 end to end when the panel takes it, else its byte-swapped twin (SPI panels).
    if d.set_format(DisplayFormat::Rgb565).is_err() {
        d.set_format(DisplayFormat::Rgb565X)?;
    }
    d.blanking_off()?;
    Ok(d)
}

fn preview_override() -> Option<(u32, u32)> {
    let w = zephyr::kconfig::CONFIG_FACEGATE_PREVIEW_WIDTH as u32;
    let h = zephyr::kconfig::CONFIG_FACEGATE_PREVIEW_HEIGHT as u32;
    (w != 0 && h != 0).then_some((w, h))
}
