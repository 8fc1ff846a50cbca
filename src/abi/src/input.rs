// SPDX-License-Identifier: Apache-2.0
//! Input port: button and touch events from `fg_input_*` into a lock-free queue.

use core::ffi::c_void;
use core::sync::atomic::{AtomicU32, Ordering};

use heapless::mpmc::MpMcQueue;

use crate::ffi;

/// One button or touch event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputEvent {
    /// A key (button) changed state; `code` is Zephyr's `INPUT_KEY_*` (N6-DK user button:
    /// `INPUT_KEY_0` = 11).
    Key {
        /// `INPUT_KEY_*` code.
        code: u16,
        /// Down (`true`) or up.
        pressed: bool,
    },
    /// A touch point went down, moved or went up, in display pixels.
    Touch {
        /// X coordinate.
        x: i32,
        /// Y coordinate.
        y: i32,
        /// Finger down (`true`) or lifted.
        pressed: bool,
    },
}

impl InputEvent {
    /// Decodes the C struct; unknown kinds give `None`.
    pub fn from_raw(raw: &ffi::FgInputEvent) -> Option<Self> {
        let pressed = raw.pressed != 0;
        match raw.kind {
            ffi::FG_INPUT_KEY => Some(Self::Key {
                code: raw.code,
                pressed,
            }),
            ffi::FG_INPUT_TOUCH => Some(Self::Touch {
                x: raw.x,
                y: raw.y,
                pressed,
            }),
            _ => None,
        }
    }
}

/// A bounded queue the input thread fills and the kiosk drains. When full, new events are
/// dropped and counted (the input thread must never block). `N` is a power of two, 2..=128.
pub struct InputQueue<const N: usize> {
    queue: MpMcQueue<InputEvent, N>,
    dropped: AtomicU32,
}

impl<const N: usize> InputQueue<N> {
    /// An empty queue (usable in a `static`).
    pub const fn new() -> Self {
        Self {
            queue: MpMcQueue::new(),
            dropped: AtomicU32::new(0),
        }
    }

    /// Adds an event; returns `false` (and counts it) if the queue was full.
    pub fn push(&self, ev: InputEvent) -> bool {
        if self.queue.enqueue(ev).is_ok() {
            true
        } else {
            self.dropped.fetch_add(1, Ordering::Relaxed);
            false
        }
    }

    /// Takes the oldest event.
    pub fn pop(&self) -> Option<InputEvent> {
        self.queue.dequeue()
    }

    /// Events dropped because the queue was full.
    pub fn dropped(&self) -> u32 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Routes the shim's input callback into this queue.
    pub fn attach(&'static self) {
        let ctx: *const Self = self;
        // SAFETY: `self` is 'static, so `ctx` stays valid for every later callback; the
        // callback only uses it through `&Self`, whose methods are thread-safe (atomics).
        unsafe { ffi::fg_input_set_callback(Some(Self::on_event), ctx.cast_mut().cast()) };
    }

    unsafe extern "C" fn on_event(ev: *const ffi::FgInputEvent, ctx: *mut c_void) {
        if ev.is_null() || ctx.is_null() {
            return;
        }
        // SAFETY: `ctx` is the `&'static Self` registered by `attach`.
        let this = unsafe { &*ctx.cast::<Self>() };
        // SAFETY: the shim passes a valid event for the duration of the callback.
        if let Some(e) = InputEvent::from_raw(unsafe { &*ev }) {
            this.push(e);
        }
    }
}

impl<const N: usize> Default for InputQueue<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> core::fmt::Debug for InputQueue<N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("InputQueue")
            .field("capacity", &N)
            .field("dropped", &self.dropped())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake;

    static QUEUE: InputQueue<4> = InputQueue::new();

    #[test]
    fn events_from_the_shim_arrive_in_order_and_overflow_is_counted() {
        let _g = fake::serial();
        while QUEUE.pop().is_some() {}
        QUEUE.attach();
        fake::fire_input(ffi::FgInputEvent {
            kind: ffi::FG_INPUT_KEY,
            pressed: 1,
            code: 11,
            x: 0,
            y: 0,
        });
        fake::fire_input(ffi::FgInputEvent {
            kind: ffi::FG_INPUT_TOUCH,
            pressed: 0,
            code: 0x14a,
            x: 120,
            y: -3,
        });
        // Unknown kinds are ignored, not queued.
        fake::fire_input(ffi::FgInputEvent {
            kind: 9,
            ..Default::default()
        });
        assert_eq!(
            QUEUE.pop(),
            Some(InputEvent::Key {
                code: 11,
                pressed: true
            })
        );
        assert_eq!(
            QUEUE.pop(),
            Some(InputEvent::Touch {
                x: 120,
                y: -3,
                pressed: false
            })
        );
        assert_eq!(QUEUE.pop(), None);
        let before = QUEUE.dropped();
        for _ in 0..6 {
            fake::fire_input(ffi::FgInputEvent {
                kind: ffi::FG_INPUT_KEY,
                pressed: 1,
                code: 2,
                x: 0,
                y: 0,
            });
        }
        assert_eq!(QUEUE.dropped() - before, 2);
        let mut n = 0;
        while QUEUE.pop().is_some() {
            n += 1;
        }
        assert_eq!(n, 4);
    }
}
