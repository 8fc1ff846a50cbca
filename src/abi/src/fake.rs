// SPDX-License-Identifier: Apache-2.0
//! Test-only fake of the C ABI in `facegate_shim.h`: `#[no_mangle]` functions with the same
//! names, backed by an in-memory state that tests prepare and inspect.

use std::boxed::Box;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::ffi::CStr;
use std::string::String;
use std::sync::{Mutex, MutexGuard};
use std::vec;
use std::vec::Vec;

use core::ffi::{c_char, c_int, c_void};

use crate::ffi::*;

/// One `fg_disp_write` call as the fake saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DispWrite {
    pub x: u16,
    pub y: u16,
    pub width: u16,
    pub height: u16,
    pub pitch_px: u16,
    pub bytes: Vec<u8>,
}

struct PendingFrame {
    role: usize,
    buffer: usize,
    bytesused: u32,
}

pub struct FakeState {
    pub calls: u32,
    pub force_code: Option<c_int>,
    // camera
    pub cam_pitch_align: u32,
    pub cam_pitch_override: Option<u32>,
    pub cam_formats: [Option<FgCamFormat>; 2],
    pub cam_buffers_allocated: [u32; 2],
    pub cam_streaming: [bool; 2],
    pub null_token_next: bool,
    pub double_enqueues: u32,
    buffers: Vec<Box<[u8]>>,
    pending: VecDeque<PendingFrame>,
    outstanding: BTreeSet<usize>,
    // display
    pub disp_caps: FgDispCaps,
    pub disp_writes: Vec<DispWrite>,
    pub blanking_off: bool,
    // store
    pub store: BTreeMap<String, Vec<u8>>,
    pub store_capacity: usize,
    pub unterminated_keys: u32,
    pub keys_seen: Vec<String>,
    // input
    input_cb: Option<(FgInputFn, usize)>,
    // shell
    pub shell_lines: Vec<String>,
    // reboot
    pub reboots: u32,
    // model blob flash
    pub models_flash: Vec<u8>,
    pub models_reads: u32,
}

impl FakeState {
    fn new() -> Self {
        Self {
            calls: 0,
            force_code: None,
            cam_pitch_align: 1,
            cam_pitch_override: None,
            cam_formats: [None, None],
            cam_buffers_allocated: [0, 0],
            cam_streaming: [false, false],
            null_token_next: false,
            double_enqueues: 0,
            buffers: Vec::new(),
            pending: VecDeque::new(),
            outstanding: BTreeSet::new(),
            disp_caps: FgDispCaps {
                width: 320,
                height: 240,
                formats: (1 << FG_PIX_RGB565) | (1 << FG_PIX_RGB565X),
                current: FG_PIX_RGB888,
            },
            disp_writes: Vec::new(),
            blanking_off: false,
            store: BTreeMap::new(),
            store_capacity: 4096,
            unterminated_keys: 0,
            keys_seen: Vec::new(),
            input_cb: None,
            shell_lines: Vec::new(),
            reboots: 0,
            models_flash: Vec::new(),
            models_reads: 0,
        }
    }

    /// Queues a frame for the main stream whose byte i holds `i % 256` (+ `seed`).
    pub fn push_frame_pattern(&mut self, seed: u8) {
        let fmt = self.cam_formats[0].expect("main stream not opened");
        let data: Vec<u8> = (0..fmt.size as usize)
            .map(|i| (i as u8).wrapping_add(seed))
            .collect();
        self.push_buffer(0, data.into_boxed_slice(), fmt.size);
    }

    /// Queues a main-stream frame that claims only `bytesused` valid bytes.
    pub fn push_frame_with_bytesused(&mut self, bytesused: u32) {
        let fmt = self.cam_formats[0].expect("main stream not opened");
        self.push_buffer(
            0,
            vec![0u8; fmt.size as usize].into_boxed_slice(),
            bytesused,
        );
    }

    fn push_buffer(&mut self, role: usize, data: Box<[u8]>, bytesused: u32) {
        self.buffers.push(data);
        self.pending.push_back(PendingFrame {
            role,
            buffer: self.buffers.len() - 1,
            bytesused,
        });
    }

    /// Buffers handed out by dequeue and not yet enqueued back.
    pub fn cam_outstanding(&self) -> usize {
        self.outstanding.len()
    }

    /// Returns the forced code once, if any.
    fn take_forced(&mut self) -> Option<c_int> {
        self.calls += 1;
        self.force_code.take()
    }

    /// Reads a key the way the C shim would: at most FG_STORE_KEY_MAX + 1 bytes, which must
    /// contain the NUL terminator.
    fn read_key(&mut self, key: *const c_char) -> Option<String> {
        // SAFETY: (test fake) the wrapper passes a pointer to a StoreKey buffer of
        // FG_STORE_KEY_MAX + 1 bytes.
        let bytes = unsafe { core::slice::from_raw_parts(key as *const u8, FG_STORE_KEY_MAX + 1) };
        match bytes.iter().position(|&b| b == 0) {
            Some(n) => {
                let k = String::from_utf8(bytes[..n].to_vec()).unwrap();
                self.keys_seen.push(k.clone());
                Some(k)
            }
            None => {
                self.unterminated_keys += 1;
                None
            }
        }
    }
}

static STATE: Mutex<Option<FakeState>> = Mutex::new(None);
static SERIAL: Mutex<()> = Mutex::new(());

fn lock_state() -> MutexGuard<'static, Option<FakeState>> {
    STATE.lock().unwrap_or_else(|p| p.into_inner())
}

/// Serialises tests that use the fake and resets its state.
pub fn serial() -> MutexGuard<'static, ()> {
    let guard = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    *lock_state() = Some(FakeState::new());
    guard
}

/// Runs `f` on the fake's state.
pub fn with<R>(f: impl FnOnce(&mut FakeState) -> R) -> R {
    let mut g = lock_state();
    f(g.get_or_insert_with(FakeState::new))
}

/// Delivers `ev` to the registered input callback, as the C input thread would.
pub fn fire_input(ev: FgInputEvent) {
    let cb = with(|s| s.input_cb);
    if let Some((f, ctx)) = cb {
        // SAFETY: (test fake) calling the registered callback with a valid event and its ctx.
        unsafe { f(&ev, ctx as *mut c_void) };
    }
}

fn role_index(role: u32) -> Option<usize> {
    match role {
        FG_CAM_MAIN => Some(0),
        FG_CAM_AUX => Some(1),
        _ => None,
    }
}

#[no_mangle]
extern "C" fn fg_cam_open(role: u32, fmt: *mut FgCamFormat, n_buffers: u32) -> c_int {
    with(|s| {
        if let Some(c) = s.take_forced() {
            return c;
        }
        let Some(r) = role_index(role) else {
            return FG_ERR_NOT_FOUND;
        };
        // SAFETY: (test fake) the wrapper passes a valid fg_cam_format.
        let f = unsafe { &mut *fmt };
        let bpp = crate::Fourcc(f.fourcc).bytes_per_pixel().unwrap_or(2);
        let row = f.width * bpp;
        f.pitch = s
            .cam_pitch_override
            .unwrap_or(row.div_ceil(s.cam_pitch_align) * s.cam_pitch_align);
        f.size = f.pitch * f.height;
        s.cam_formats[r] = Some(*f);
        s.cam_buffers_allocated[r] = n_buffers;
        FG_OK
    })
}

#[no_mangle]
extern "C" fn fg_cam_start(role: u32) -> c_int {
    with(|s| {
        if let Some(c) = s.take_forced() {
            return c;
        }
        match role_index(role) {
            Some(r) if s.cam_formats[r].is_some() => {
                s.cam_streaming[r] = true;
                FG_OK
            }
            _ => FG_ERR_INVALID,
        }
    })
}

#[no_mangle]
extern "C" fn fg_cam_stop(role: u32) -> c_int {
    with(|s| {
        if let Some(r) = role_index(role) {
            s.cam_streaming[r] = false;
        }
        FG_OK
    })
}

#[no_mangle]
extern "C" fn fg_cam_dequeue(role: u32, _timeout_ms: i32, out: *mut FgFrame) -> c_int {
    with(|s| {
        if let Some(c) = s.take_forced() {
            return c;
        }
        let Some(r) = role_index(role) else {
            return FG_ERR_INVALID;
        };
        let Some(pos) = s.pending.iter().position(|p| p.role == r) else {
            return FG_ERR_TIMEOUT;
        };
        let p = s.pending.remove(pos).unwrap();
        let fmt = s.cam_formats[r].unwrap();
        let null_token = core::mem::take(&mut s.null_token_next);
        s.outstanding.insert(p.buffer);
        // SAFETY: (test fake) the wrapper passes a valid fg_frame.
        let o = unsafe { &mut *out };
        o.data = s.buffers[p.buffer].as_ptr();
        o.token = if null_token {
            core::ptr::null_mut()
        } else {
            (p.buffer + 1) as *mut c_void
        };
        o.bytesused = p.bytesused;
        o.width = fmt.width;
        o.height = fmt.height;
        o.pitch = fmt.pitch;
        o.fourcc = fmt.fourcc;
        o.timestamp_ms = 40 * p.buffer as u32;
        FG_OK
    })
}

#[no_mangle]
extern "C" fn fg_cam_enqueue(_role: u32, token: *mut c_void) -> c_int {
    with(|s| {
        let idx = (token as usize).wrapping_sub(1);
        if !s.outstanding.remove(&idx) {
            s.double_enqueues += 1;
            return FG_ERR_INVALID;
        }
        FG_OK
    })
}

#[no_mangle]
extern "C" fn fg_disp_open(caps: *mut FgDispCaps) -> c_int {
    with(|s| {
        if let Some(c) = s.take_forced() {
            return c;
        }
        // SAFETY: (test fake) the wrapper passes a valid fg_disp_caps.
        unsafe { *caps = s.disp_caps };
        FG_OK
    })
}

#[no_mangle]
extern "C" fn fg_disp_set_format(fg_pix: u32) -> c_int {
    with(|s| {
        if let Some(c) = s.take_forced() {
            return c;
        }
        if s.disp_caps.formats & (1 << fg_pix) == 0 {
            return FG_ERR_NOT_SUPPORTED;
        }
        s.disp_caps.current = fg_pix;
        FG_OK
    })
}

#[no_mangle]
extern "C" fn fg_disp_write(
    x: u16,
    y: u16,
    width: u16,
    height: u16,
    pitch_px: u16,
    buf: *const c_void,
    buf_len: u32,
) -> c_int {
    with(|s| {
        if let Some(c) = s.take_forced() {
            return c;
        }
        // SAFETY: (test fake) the wrapper passes a slice pointer with its length.
        let bytes = unsafe { core::slice::from_raw_parts(buf as *const u8, buf_len as usize) };
        s.disp_writes.push(DispWrite {
            x,
            y,
            width,
            height,
            pitch_px,
            bytes: bytes.to_vec(),
        });
        FG_OK
    })
}

#[no_mangle]
extern "C" fn fg_disp_blanking_off() -> c_int {
    with(|s| {
        s.blanking_off = true;
        FG_OK
    })
}

#[no_mangle]
extern "C" fn fg_store_init() -> c_int {
    with(|s| s.take_forced().unwrap_or(FG_OK))
}

#[no_mangle]
extern "C" fn fg_store_read(
    key: *const c_char,
    buf: *mut c_void,
    cap: u32,
    len: *mut u32,
) -> c_int {
    with(|s| {
        if let Some(c) = s.take_forced() {
            return c;
        }
        let Some(k) = s.read_key(key) else {
            return FG_ERR_INVALID;
        };
        let Some(v) = s.store.get(&k) else {
            return FG_ERR_NOT_FOUND;
        };
        // SAFETY: (test fake) `len` is a valid u32 out-parameter.
        unsafe { *len = v.len() as u32 };
        if v.len() > cap as usize {
            return FG_ERR_TOO_SMALL;
        }
        // SAFETY: (test fake) `buf` has room for `cap` bytes and v.len() <= cap.
        unsafe { core::ptr::copy_nonoverlapping(v.as_ptr(), buf as *mut u8, v.len()) };
        FG_OK
    })
}

#[no_mangle]
extern "C" fn fg_store_write(key: *const c_char, buf: *const c_void, len: u32) -> c_int {
    with(|s| {
        if let Some(c) = s.take_forced() {
            return c;
        }
        let Some(k) = s.read_key(key) else {
            return FG_ERR_INVALID;
        };
        let used: usize = s
            .store
            .iter()
            .filter(|(kk, _)| **kk != k)
            .map(|(_, v)| v.len())
            .sum();
        if used + len as usize > s.store_capacity {
            return FG_ERR_NO_SPACE;
        }
        // SAFETY: (test fake) the wrapper passes a slice pointer with its length.
        let v = unsafe { core::slice::from_raw_parts(buf as *const u8, len as usize) };
        s.store.insert(k, v.to_vec());
        FG_OK
    })
}

#[no_mangle]
extern "C" fn fg_store_delete(key: *const c_char) -> c_int {
    with(|s| {
        if let Some(c) = s.take_forced() {
            return c;
        }
        let Some(k) = s.read_key(key) else {
            return FG_ERR_INVALID;
        };
        match s.store.remove(&k) {
            Some(_) => FG_OK,
            None => FG_ERR_NOT_FOUND,
        }
    })
}

#[no_mangle]
extern "C" fn fg_store_list(visit: Option<FgStoreVisitFn>, ctx: *mut c_void) -> c_int {
    // Snapshot first: the visitor must run without the state lock held.
    let entries: Vec<(Vec<u8>, u32)> = with(|s| {
        s.store
            .iter()
            .map(|(k, v)| {
                let mut z = k.as_bytes().to_vec();
                z.push(0);
                (z, v.len() as u32)
            })
            .collect()
    });
    let Some(visit) = visit else {
        return FG_ERR_INVALID;
    };
    let mut n = 0;
    for (k, len) in entries {
        let key = CStr::from_bytes_with_nul(&k).unwrap();
        n += 1;
        // SAFETY: (test fake) calling the wrapper's visitor with a NUL-terminated key and ctx.
        if unsafe { visit(key.as_ptr(), len, ctx) } != 0 {
            break;
        }
    }
    n
}

#[no_mangle]
extern "C" fn fg_input_set_callback(f: Option<FgInputFn>, ctx: *mut c_void) {
    with(|s| s.input_cb = f.map(|f| (f, ctx as usize)));
}

#[no_mangle]
extern "C" fn fg_shell_puts(_sh: *const Shell, line: *const c_char) {
    // SAFETY: (test fake) the writer passes a NUL-terminated line.
    let text = unsafe { CStr::from_ptr(line) }.to_str().unwrap().into();
    with(|s| s.shell_lines.push(text));
}

#[no_mangle]
extern "C" fn fg_reboot() {
    with(|s| s.reboots += 1);
}

#[no_mangle]
extern "C" fn fg_models_read(offset: u32, dst: *mut c_void, len: u32) -> c_int {
    with(|s| {
        if let Some(c) = s.take_forced() {
            return c;
        }
        s.models_reads += 1;
        let (off, n) = (offset as usize, len as usize);
        let Some(src) = s.models_flash.get(off..off + n) else {
            return FG_ERR_INVALID;
        };
        // SAFETY: (test fake) the wrapper passes a buffer of `len` bytes.
        unsafe { core::ptr::copy_nonoverlapping(src.as_ptr(), dst as *mut u8, n) };
        FG_OK
    })
}
