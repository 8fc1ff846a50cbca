// SPDX-License-Identifier: Apache-2.0
//! Camera port over `fg_cam_*`: open a stream by role, take owned frames, return buffers on drop.

use core::ffi::c_void;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicU32, Ordering};

use crate::error::check;
use crate::{ffi, AbiError, Fourcc, Result};

/// Which camera stream: on the STM32N6 the two DCMIPP pipes fed by one sensor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CameraRole {
    /// Display stream (`pipe_main`, or the chosen `zephyr,camera` on other boards).
    Main,
    /// Detector stream (`pipe_aux`, downscaled in hardware).
    Aux,
}

impl CameraRole {
    fn raw(self) -> u32 {
        match self {
            Self::Main => ffi::FG_CAM_MAIN,
            Self::Aux => ffi::FG_CAM_AUX,
        }
    }
}

/// The format a stream delivers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CameraFormat {
    /// Pixel format.
    pub fourcc: Fourcc,
    /// Width in pixels.
    pub width: u32,
    /// Height in lines.
    pub height: u32,
    /// Bytes per line (at least `width * bytes per pixel`).
    pub pitch: u32,
    /// Bytes per buffer (at least `pitch * height`).
    pub size: u32,
}

/// Row size in bytes of `width` pixels, if the format is a packed one we know.
fn row_bytes(fourcc: Fourcc, width: u32) -> Option<u64> {
    fourcc
        .bytes_per_pixel()
        .map(|bpp| u64::from(bpp) * u64::from(width))
}

/// An open camera stream.
#[derive(Debug)]
pub struct Camera {
    role: CameraRole,
    format: CameraFormat,
    streaming: bool,
}

impl Camera {
    /// Opens stream `role` at `width` x `height` in `fourcc` with `n_buffers` buffers.
    /// The driver may adjust the pitch; the accepted format is checked for consistency.
    pub fn open(
        role: CameraRole,
        fourcc: Fourcc,
        width: u32,
        height: u32,
        n_buffers: u32,
    ) -> Result<Self> {
        if width == 0 || height == 0 || n_buffers == 0 || fourcc.bytes_per_pixel().is_none() {
            return Err(AbiError::BadGeometry);
        }
        let mut raw = ffi::FgCamFormat {
            fourcc: fourcc.0,
            width,
            height,
            pitch: 0,
            size: 0,
        };
        // SAFETY: `raw` is a valid, exclusively borrowed fg_cam_format for the whole call; the
        // shim reads and writes only its fields.
        check(unsafe { ffi::fg_cam_open(role.raw(), &mut raw, n_buffers) })?;
        let format = CameraFormat {
            fourcc: Fourcc(raw.fourcc),
            width: raw.width,
            height: raw.height,
            pitch: raw.pitch,
            size: raw.size,
        };
        let row = row_bytes(format.fourcc, format.width).ok_or(AbiError::FormatMismatch)?;
        if format.width == 0
            || format.height == 0
            || u64::from(format.pitch) < row
            || u64::from(format.size) < u64::from(format.pitch) * u64::from(format.height)
        {
            return Err(AbiError::BadGeometry);
        }
        Ok(Self {
            role,
            format,
            streaming: false,
        })
    }

    /// The stream's role.
    pub fn role(&self) -> CameraRole {
        self.role
    }

    /// The format the driver accepted.
    pub fn format(&self) -> CameraFormat {
        self.format
    }

    /// Starts streaming.
    pub fn start(&mut self) -> Result<()> {
        // SAFETY: plain integer argument; the shim checks the role.
        check(unsafe { ffi::fg_cam_start(self.role.raw()) })?;
        self.streaming = true;
        Ok(())
    }

    /// Stops streaming.
    pub fn stop(&mut self) -> Result<()> {
        self.streaming = false;
        // SAFETY: plain integer argument; the shim checks the role.
        check(unsafe { ffi::fg_cam_stop(self.role.raw()) }).map(|_| ())
    }

    /// Waits up to `timeout_ms` (negative: forever) for the next frame. A frame that breaks
    /// the format (short, null, different size) is handed back to the driver and reported.
    pub fn next_frame(&self, timeout_ms: i32) -> Result<Frame> {
        let mut raw = ffi::FgFrame::default();
        // SAFETY: `raw` is a valid, exclusively borrowed fg_frame for the whole call.
        check(unsafe { ffi::fg_cam_dequeue(self.role.raw(), timeout_ms, &mut raw) })?;
        let token = NonNull::new(raw.token).ok_or(AbiError::ContractViolation)?;
        // From here on the buffer is ours: build the Frame first so that every early return
        // below gives the buffer back through Drop.
        let frame = Frame {
            role: self.role.raw(),
            data: raw.data,
            len: raw.bytesused as usize,
            token,
            width: raw.width,
            height: raw.height,
            pitch: raw.pitch,
            fourcc: Fourcc(raw.fourcc),
            timestamp_ms: raw.timestamp_ms,
        };
        if raw.data.is_null() {
            return Err(AbiError::ContractViolation);
        }
        if raw.width != self.format.width
            || raw.height != self.format.height
            || raw.fourcc != self.format.fourcc.0
        {
            return Err(AbiError::FormatMismatch);
        }
        let row = row_bytes(frame.fourcc, frame.width).ok_or(AbiError::FormatMismatch)?;
        let needed = u64::from(frame.pitch) * u64::from(frame.height - 1) + row;
        if u64::from(frame.pitch) < row || (frame.len as u64) < needed {
            return Err(AbiError::BadGeometry);
        }
        Ok(frame)
    }
}

impl Drop for Camera {
    fn drop(&mut self) {
        if self.streaming {
            // Nothing useful to do with a failure while dropping.
            let _ = self.stop();
        }
    }
}

static REQUEUE_ERRORS: AtomicU32 = AtomicU32::new(0);

/// How many dropped frames the driver refused to take back (a lost buffer each).
pub fn requeue_errors() -> u32 {
    REQUEUE_ERRORS.load(Ordering::Relaxed)
}

/// One captured frame. It owns its video buffer and gives it back to the driver when dropped,
/// from whichever thread drops it, so frames can travel through channels.
#[derive(Debug)]
pub struct Frame {
    role: u32,
    data: *const u8,
    len: usize,
    token: NonNull<c_void>,
    width: u32,
    height: u32,
    pitch: u32,
    fourcc: Fourcc,
    timestamp_ms: u32,
}

// SAFETY: the buffer behind `data`/`token` belongs exclusively to this Frame until Drop hands
// it back with fg_cam_enqueue, which the shim allows from any thread (video_enqueue puts the
// buffer on the driver's k_fifo).
unsafe impl Send for Frame {}

impl Frame {
    /// The stream this frame came from.
    pub fn role(&self) -> CameraRole {
        if self.role == ffi::FG_CAM_AUX {
            CameraRole::Aux
        } else {
            CameraRole::Main
        }
    }

    /// The valid bytes (`bytesused`), rows `pitch` bytes apart.
    pub fn data(&self) -> &[u8] {
        // SAFETY: `data` is non-null (checked in next_frame) and points to `len` bytes of the
        // buffer this Frame owns until Drop; nothing writes it meanwhile (the driver only
        // writes buffers that are enqueued).
        unsafe { core::slice::from_raw_parts(self.data, self.len) }
    }

    /// Row `y` without its pitch padding, `None` past the last row.
    pub fn row(&self, y: u32) -> Option<&[u8]> {
        if y >= self.height {
            return None;
        }
        let row = row_bytes(self.fourcc, self.width)? as usize;
        let start = y as usize * self.pitch as usize;
        self.data().get(start..start + row)
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in lines.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// Bytes per line.
    pub fn pitch(&self) -> u32 {
        self.pitch
    }

    /// Pixel format.
    pub fn fourcc(&self) -> Fourcc {
        self.fourcc
    }

    /// Capture time in milliseconds.
    pub fn timestamp_ms(&self) -> u32 {
        self.timestamp_ms
    }
}

impl Drop for Frame {
    fn drop(&mut self) {
        // SAFETY: `token` came from fg_cam_dequeue for this role and has not been enqueued
        // since (Frame is not Clone, Drop runs once).
        let rc = unsafe { ffi::fg_cam_enqueue(self.role, self.token.as_ptr()) };
        if rc < 0 {
            REQUEUE_ERRORS.fetch_add(1, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake;

    fn open_main() -> Camera {
        Camera::open(CameraRole::Main, Fourcc::RGB565, 100, 4, 2).unwrap()
    }

    #[test]
    fn open_reports_the_pitch_the_driver_chose() {
        let _g = fake::serial();
        fake::with(|s| s.cam_pitch_align = 16);
        let cam = open_main();
        // 100 px * 2 B = 200 B, rounded up to 16 B: 208.
        assert_eq!(cam.format().pitch, 208);
        assert_eq!(cam.format().size, 208 * 4);
        assert_eq!(fake::with(|s| s.cam_buffers_allocated[0]), 2);
    }

    #[test]
    fn open_rejects_zero_sizes_without_calling_the_shim() {
        let _g = fake::serial();
        let err = Camera::open(CameraRole::Aux, Fourcc::RGB565, 0, 4, 2).unwrap_err();
        assert_eq!(err, AbiError::BadGeometry);
        assert_eq!(fake::with(|s| s.calls), 0);
        let err = Camera::open(CameraRole::Aux, Fourcc::from_bytes(*b"NV12"), 8, 4, 2);
        assert_eq!(err.unwrap_err(), AbiError::BadGeometry);
    }

    #[test]
    fn open_maps_driver_errors() {
        let _g = fake::serial();
        fake::with(|s| s.force_code = Some(ffi::FG_ERR_NOT_READY));
        let err = Camera::open(CameraRole::Aux, Fourcc::BGR24, 128, 128, 2).unwrap_err();
        assert_eq!(err, AbiError::NotReady);
    }

    #[test]
    fn open_refuses_a_driver_pitch_shorter_than_a_row() {
        let _g = fake::serial();
        fake::with(|s| s.cam_pitch_override = Some(150));
        let err = Camera::open(CameraRole::Main, Fourcc::RGB565, 100, 4, 2).unwrap_err();
        assert_eq!(err, AbiError::BadGeometry);
    }

    #[test]
    fn frames_carry_pitch_and_rows_skip_padding() {
        let _g = fake::serial();
        fake::with(|s| s.cam_pitch_align = 16);
        let mut cam = Camera::open(CameraRole::Main, Fourcc::RGB565, 3, 2, 2).unwrap();
        cam.start().unwrap();
        // pitch 16: row 0 = bytes 0..6, row 1 = bytes 16..22.
        fake::with(|s| s.push_frame_pattern(0));
        let frame = cam.next_frame(10).unwrap();
        assert_eq!(frame.role(), CameraRole::Main);
        assert_eq!(frame.pitch(), 16);
        assert_eq!(frame.data().len(), 32);
        assert_eq!(frame.row(0).unwrap(), &[0, 1, 2, 3, 4, 5]);
        assert_eq!(frame.row(1).unwrap(), &[16, 17, 18, 19, 20, 21]);
        assert!(frame.row(2).is_none());
    }

    #[test]
    fn dropping_a_frame_returns_its_buffer_once() {
        let _g = fake::serial();
        let mut cam = open_main();
        cam.start().unwrap();
        fake::with(|s| s.push_frame_pattern(0));
        fake::with(|s| s.push_frame_pattern(0));
        let a = cam.next_frame(0).unwrap();
        let b = cam.next_frame(0).unwrap();
        assert_eq!(fake::with(|s| s.cam_outstanding()), 2);
        drop(a);
        assert_eq!(fake::with(|s| s.cam_outstanding()), 1);
        // A frame can be dropped on another thread (it is Send).
        std::thread::spawn(move || drop(b)).join().unwrap();
        assert_eq!(fake::with(|s| s.cam_outstanding()), 0);
        assert_eq!(fake::with(|s| s.double_enqueues), 0);
    }

    #[test]
    fn a_short_frame_is_refused_and_its_buffer_returned() {
        let _g = fake::serial();
        let mut cam = open_main();
        cam.start().unwrap();
        fake::with(|s| s.push_frame_with_bytesused(100));
        let err = cam.next_frame(0).unwrap_err();
        assert_eq!(err, AbiError::BadGeometry);
        assert_eq!(fake::with(|s| s.cam_outstanding()), 0);
    }

    #[test]
    fn a_null_token_is_a_contract_violation() {
        let _g = fake::serial();
        let mut cam = open_main();
        cam.start().unwrap();
        fake::with(|s| s.null_token_next = true);
        fake::with(|s| s.push_frame_pattern(0));
        assert_eq!(cam.next_frame(0).unwrap_err(), AbiError::ContractViolation);
    }

    #[test]
    fn dequeue_timeout_maps_to_timeout() {
        let _g = fake::serial();
        let mut cam = open_main();
        cam.start().unwrap();
        assert_eq!(cam.next_frame(5).unwrap_err(), AbiError::Timeout);
    }

    #[test]
    fn dropping_a_streaming_camera_stops_it() {
        let _g = fake::serial();
        let mut cam = open_main();
        cam.start().unwrap();
        assert!(fake::with(|s| s.cam_streaming[0]));
        drop(cam);
        assert!(!fake::with(|s| s.cam_streaming[0]));
    }
}
