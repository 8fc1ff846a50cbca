// SPDX-License-Identifier: Apache-2.0
//! Raw declarations of the C ABI in `src/shim/facegate_shim.h`; change both files together.

use core::ffi::{c_char, c_int, c_void};
use core::mem::size_of;

/// Success.
pub const FG_OK: c_int = 0;
/// No such key or device node.
pub const FG_ERR_NOT_FOUND: c_int = -1;
/// Storage full.
pub const FG_ERR_NO_SPACE: c_int = -2;
/// Nothing within the timeout.
pub const FG_ERR_TIMEOUT: c_int = -3;
/// Bad argument or format.
pub const FG_ERR_INVALID: c_int = -4;
/// The driver cannot do this.
pub const FG_ERR_NOT_SUPPORTED: c_int = -5;
/// Device busy.
pub const FG_ERR_BUSY: c_int = -6;
/// Buffer pool or heap exhausted.
pub const FG_ERR_NO_MEMORY: c_int = -7;
/// I/O error or unmapped errno.
pub const FG_ERR_IO: c_int = -8;
/// Device absent or not ready.
pub const FG_ERR_NOT_READY: c_int = -9;
/// Caller buffer smaller than the stored value.
pub const FG_ERR_TOO_SMALL: c_int = -10;
/// Over a shim limit.
pub const FG_ERR_TOO_LARGE: c_int = -11;

/// Camera role of the display stream (DCMIPP `pipe_main` or the chosen `zephyr,camera`).
pub const FG_CAM_MAIN: u32 = 0;
/// Camera role of the detector stream (DCMIPP `pipe_aux`).
pub const FG_CAM_AUX: u32 = 1;

/// Display format: little-endian RGB565 (Zephyr `PIXEL_FORMAT_RGB_565`, v4.4 meaning).
pub const FG_PIX_RGB565: u32 = 1;
/// Display format: byte-swapped RGB565 (Zephyr `PIXEL_FORMAT_RGB_565X`).
pub const FG_PIX_RGB565X: u32 = 2;
/// Display format: RGB888.
pub const FG_PIX_RGB888: u32 = 3;
/// Display format: ARGB8888.
pub const FG_PIX_ARGB8888: u32 = 4;

/// Longest store key below `facegate/`, NUL not counted.
pub const FG_STORE_KEY_MAX: usize = 40;
/// Largest value the store shim reads or writes.
pub const FG_STORE_VALUE_MAX: usize = 1024;

/// Input event kind: a key (button).
pub const FG_INPUT_KEY: u8 = 1;
/// Input event kind: a touch point.
pub const FG_INPUT_TOUCH: u8 = 2;

/// Shell subcommand `enroll NAME`.
pub const FG_CMD_ENROLL: u32 = 1;
/// Shell subcommand `list`.
pub const FG_CMD_LIST: u32 = 2;
/// Shell subcommand `delete NAME`.
pub const FG_CMD_DELETE: u32 = 3;
/// Shell subcommand `threshold [V]`.
pub const FG_CMD_THRESHOLD: u32 = 4;
/// Shell subcommand `stats`.
pub const FG_CMD_STATS: u32 = 5;

/// `struct fg_cam_format`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FgCamFormat {
    /// FourCC pixel format.
    pub fourcc: u32,
    /// Width in pixels.
    pub width: u32,
    /// Height in lines.
    pub height: u32,
    /// Bytes per line.
    pub pitch: u32,
    /// Bytes per buffer.
    pub size: u32,
}

/// `struct fg_frame`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct FgFrame {
    /// First byte of the frame.
    pub data: *const u8,
    /// Opaque buffer handle for `fg_cam_enqueue`.
    pub token: *mut c_void,
    /// Valid bytes from `data`.
    pub bytesused: u32,
    /// Width in pixels.
    pub width: u32,
    /// Height in lines.
    pub height: u32,
    /// Bytes per line.
    pub pitch: u32,
    /// FourCC pixel format.
    pub fourcc: u32,
    /// Capture time in milliseconds.
    pub timestamp_ms: u32,
}

impl Default for FgFrame {
    fn default() -> Self {
        Self {
            data: core::ptr::null(),
            token: core::ptr::null_mut(),
            bytesused: 0,
            width: 0,
            height: 0,
            pitch: 0,
            fourcc: 0,
            timestamp_ms: 0,
        }
    }
}

/// `struct fg_disp_caps`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FgDispCaps {
    /// Width in pixels.
    pub width: u16,
    /// Height in pixels.
    pub height: u16,
    /// Bit `1 << FG_PIX_*` per supported format.
    pub formats: u32,
    /// `FG_PIX_*` in use, 0 if none of ours.
    pub current: u32,
}

/// `struct fg_input_event`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FgInputEvent {
    /// `FG_INPUT_*`.
    pub kind: u8,
    /// 1 = down, 0 = up.
    pub pressed: u8,
    /// Key code (`INPUT_KEY_*`) or `INPUT_BTN_TOUCH`.
    pub code: u16,
    /// Touch x.
    pub x: i32,
    /// Touch y.
    pub y: i32,
}

/// Opaque `struct shell`.
#[repr(C)]
#[derive(Debug)]
pub struct Shell {
    _private: [u8; 0],
}

/// `fg_store_visit_fn`.
pub type FgStoreVisitFn =
    unsafe extern "C" fn(key: *const c_char, len: u32, ctx: *mut c_void) -> c_int;
/// `fg_input_fn`.
pub type FgInputFn = unsafe extern "C" fn(ev: *const FgInputEvent, ctx: *mut c_void);

extern "C" {
    /// Opens the camera stream `role` with the format in `fmt` (updated to what the driver
    /// accepted) and allocates `n_buffers` buffers.
    pub fn fg_cam_open(role: u32, fmt: *mut FgCamFormat, n_buffers: u32) -> c_int;
    /// Starts streaming.
    pub fn fg_cam_start(role: u32) -> c_int;
    /// Stops streaming (buffers return to the shim's queue).
    pub fn fg_cam_stop(role: u32) -> c_int;
    /// Dequeues one frame; `timeout_ms < 0` waits forever.
    pub fn fg_cam_dequeue(role: u32, timeout_ms: i32, out: *mut FgFrame) -> c_int;
    /// Gives a frame's buffer back to the driver.
    pub fn fg_cam_enqueue(role: u32, token: *mut c_void) -> c_int;

    /// Finds the chosen display and reports its capabilities.
    pub fn fg_disp_open(caps: *mut FgDispCaps) -> c_int;
    /// Selects an `FG_PIX_*` format.
    pub fn fg_disp_set_format(fg_pix: u32) -> c_int;
    /// Writes a rectangle; `pitch_px` is in pixels, `buf_len` in bytes.
    pub fn fg_disp_write(
        x: u16,
        y: u16,
        width: u16,
        height: u16,
        pitch_px: u16,
        buf: *const c_void,
        buf_len: u32,
    ) -> c_int;
    /// Turns blanking off (shows the framebuffer).
    pub fn fg_disp_blanking_off() -> c_int;

    /// Initialises the settings subsystem and loads `facegate/`.
    pub fn fg_store_init() -> c_int;
    /// Reads `facegate/<key>` into `buf`; `*len` gets the stored size.
    pub fn fg_store_read(key: *const c_char, buf: *mut c_void, cap: u32, len: *mut u32) -> c_int;
    /// Writes `facegate/<key>`.
    pub fn fg_store_write(key: *const c_char, buf: *const c_void, len: u32) -> c_int;
    /// Deletes `facegate/<key>`.
    pub fn fg_store_delete(key: *const c_char) -> c_int;
    /// Calls `visit` for each key below `facegate/`.
    pub fn fg_store_list(visit: Option<FgStoreVisitFn>, ctx: *mut c_void) -> c_int;

    /// Registers the input callback (one at a time).
    pub fn fg_input_set_callback(f: Option<FgInputFn>, ctx: *mut c_void);

    /// Prints one NUL-terminated line on shell `sh`.
    pub fn fg_shell_puts(sh: *const Shell, line: *const c_char);

    /// Reads `len` bytes of the model blob in external flash at `offset`.
    pub fn fg_models_read(offset: u32, dst: *mut c_void, len: u32) -> c_int;

    /// Cold reboot; does not return on a board (the test fake returns).
    pub fn fg_reboot();
}

// Layout pins, the same as the _Static_asserts in facegate_shim.h.
const _: () = assert!(size_of::<FgCamFormat>() == 20);
const _: () = assert!(size_of::<FgFrame>() == 2 * size_of::<*const u8>() + 24);
const _: () = assert!(size_of::<FgDispCaps>() == 12);
const _: () = assert!(size_of::<FgInputEvent>() == 12);

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::offset_of;
    use std::string::String;
    use std::vec::Vec;

    /// Compiles a probe against facegate_shim.h with the host C compiler and compares every
    /// field offset and struct size with this file's `#[repr(C)]` structs (both 64-bit here;
    /// the header's _Static_asserts cover the 32-bit sizes on the target).
    #[test]
    fn struct_layout_matches_the_c_compiler() {
        let shim = concat!(env!("CARGO_MANIFEST_DIR"), "/../shim");
        let dir = std::env::temp_dir().join(std::format!("fg-abi-probe-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let fields: &[(&str, &str)] = &[
            ("fg_cam_format", "fourcc"),
            ("fg_cam_format", "width"),
            ("fg_cam_format", "height"),
            ("fg_cam_format", "pitch"),
            ("fg_cam_format", "size"),
            ("fg_frame", "data"),
            ("fg_frame", "token"),
            ("fg_frame", "bytesused"),
            ("fg_frame", "width"),
            ("fg_frame", "height"),
            ("fg_frame", "pitch"),
            ("fg_frame", "fourcc"),
            ("fg_frame", "timestamp_ms"),
            ("fg_disp_caps", "width"),
            ("fg_disp_caps", "height"),
            ("fg_disp_caps", "formats"),
            ("fg_disp_caps", "current"),
            ("fg_input_event", "kind"),
            ("fg_input_event", "pressed"),
            ("fg_input_event", "code"),
            ("fg_input_event", "x"),
            ("fg_input_event", "y"),
        ];
        let mut src = String::from(
            "#include <stdio.h>\n#include <stddef.h>\n#include \"facegate_shim.h\"\nint main(void) {\n",
        );
        for (s, f) in fields {
            src += &std::format!("printf(\"{s}.{f} %zu\\n\", offsetof(struct {s}, {f}));\n");
        }
        for s in [
            "fg_cam_format",
            "fg_frame",
            "fg_disp_caps",
            "fg_input_event",
        ] {
            src += &std::format!("printf(\"{s} %zu\\n\", sizeof(struct {s}));\n");
        }
        src += "return 0;\n}\n";
        let c = dir.join("probe.c");
        let exe = dir.join("probe");
        std::fs::write(&c, src).unwrap();
        let status = std::process::Command::new("cc")
            .args(["-std=c11", "-Wall", "-Werror", "-I", shim, "-o"])
            .arg(&exe)
            .arg(&c)
            .status()
            .expect("a C compiler `cc` is needed to check the header");
        assert!(status.success(), "facegate_shim.h does not compile");
        let out = std::process::Command::new(&exe).output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let c_values: Vec<(String, usize)> = text
            .lines()
            .map(|l| {
                let (k, v) = l.split_once(' ').unwrap();
                (k.into(), v.parse().unwrap())
            })
            .collect();
        let rust_values: [(&str, usize); 26] = [
            ("fg_cam_format.fourcc", offset_of!(FgCamFormat, fourcc)),
            ("fg_cam_format.width", offset_of!(FgCamFormat, width)),
            ("fg_cam_format.height", offset_of!(FgCamFormat, height)),
            ("fg_cam_format.pitch", offset_of!(FgCamFormat, pitch)),
            ("fg_cam_format.size", offset_of!(FgCamFormat, size)),
            ("fg_frame.data", offset_of!(FgFrame, data)),
            ("fg_frame.token", offset_of!(FgFrame, token)),
            ("fg_frame.bytesused", offset_of!(FgFrame, bytesused)),
            ("fg_frame.width", offset_of!(FgFrame, width)),
            ("fg_frame.height", offset_of!(FgFrame, height)),
            ("fg_frame.pitch", offset_of!(FgFrame, pitch)),
            ("fg_frame.fourcc", offset_of!(FgFrame, fourcc)),
            ("fg_frame.timestamp_ms", offset_of!(FgFrame, timestamp_ms)),
            ("fg_disp_caps.width", offset_of!(FgDispCaps, width)),
            ("fg_disp_caps.height", offset_of!(FgDispCaps, height)),
            ("fg_disp_caps.formats", offset_of!(FgDispCaps, formats)),
            ("fg_disp_caps.current", offset_of!(FgDispCaps, current)),
            ("fg_input_event.kind", offset_of!(FgInputEvent, kind)),
            ("fg_input_event.pressed", offset_of!(FgInputEvent, pressed)),
            ("fg_input_event.code", offset_of!(FgInputEvent, code)),
            ("fg_input_event.x", offset_of!(FgInputEvent, x)),
            ("fg_input_event.y", offset_of!(FgInputEvent, y)),
            ("fg_cam_format", size_of::<FgCamFormat>()),
            ("fg_frame", size_of::<FgFrame>()),
            ("fg_disp_caps", size_of::<FgDispCaps>()),
            ("fg_input_event", size_of::<FgInputEvent>()),
        ];
        assert_eq!(c_values.len(), rust_values.len());
        for ((ck, cv), (rk, rv)) in c_values.iter().zip(rust_values) {
            assert_eq!((ck.as_str(), *cv), (rk, rv));
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// The constants here must equal the header's; read the header text and compare, so a
    /// change on one side only fails this test.
    #[test]
    fn constants_match_facegate_shim_h() {
        let header = include_str!("../../shim/facegate_shim.h");
        let value_of = |name: &str| -> i64 {
            let line = header
                .lines()
                .find(|l| {
                    l.trim_start().starts_with("#define ")
                        && l.split_whitespace().nth(1) == Some(name)
                })
                .unwrap_or_else(|| panic!("{name} not in header"));
            let raw = line.split_whitespace().nth(2).unwrap();
            let digits: std::string::String = raw
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '-')
                .collect();
            digits.parse().unwrap()
        };
        let codes = [
            ("FG_OK", FG_OK),
            ("FG_ERR_NOT_FOUND", FG_ERR_NOT_FOUND),
            ("FG_ERR_NO_SPACE", FG_ERR_NO_SPACE),
            ("FG_ERR_TIMEOUT", FG_ERR_TIMEOUT),
            ("FG_ERR_INVALID", FG_ERR_INVALID),
            ("FG_ERR_NOT_SUPPORTED", FG_ERR_NOT_SUPPORTED),
            ("FG_ERR_BUSY", FG_ERR_BUSY),
            ("FG_ERR_NO_MEMORY", FG_ERR_NO_MEMORY),
            ("FG_ERR_IO", FG_ERR_IO),
            ("FG_ERR_NOT_READY", FG_ERR_NOT_READY),
            ("FG_ERR_TOO_SMALL", FG_ERR_TOO_SMALL),
            ("FG_ERR_TOO_LARGE", FG_ERR_TOO_LARGE),
        ];
        for (name, v) in codes {
            assert_eq!(value_of(name), i64::from(v), "{name}");
        }
        let unsigned = [
            ("FG_CAM_MAIN", FG_CAM_MAIN),
            ("FG_CAM_AUX", FG_CAM_AUX),
            ("FG_PIX_RGB565", FG_PIX_RGB565),
            ("FG_PIX_RGB565X", FG_PIX_RGB565X),
            ("FG_PIX_RGB888", FG_PIX_RGB888),
            ("FG_PIX_ARGB8888", FG_PIX_ARGB8888),
            ("FG_CMD_ENROLL", FG_CMD_ENROLL),
            ("FG_CMD_LIST", FG_CMD_LIST),
            ("FG_CMD_DELETE", FG_CMD_DELETE),
            ("FG_CMD_THRESHOLD", FG_CMD_THRESHOLD),
            ("FG_CMD_STATS", FG_CMD_STATS),
            ("FG_STORE_KEY_MAX", FG_STORE_KEY_MAX as u32),
            ("FG_STORE_VALUE_MAX", FG_STORE_VALUE_MAX as u32),
            ("FG_INPUT_KEY", u32::from(FG_INPUT_KEY)),
            ("FG_INPUT_TOUCH", u32::from(FG_INPUT_TOUCH)),
        ];
        for (name, v) in unsigned {
            assert_eq!(value_of(name), i64::from(v), "{name}");
        }
    }
}
