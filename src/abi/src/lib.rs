// SPDX-License-Identifier: Apache-2.0
//! `facegate-zephyr-abi`: the Rust half of the C ABI declared in `src/shim/facegate_shim.h`.
//!
//! The C shims under `src/shim/` own every Zephyr type; this crate declares their plain-C
//! functions (`ffi`) and wraps them in safe types that implement FaceGate's ports: a camera
//! that hands out owned [`Frame`]s and takes their buffers back on drop, a [`Display`] writer
//! that checks rectangles and pitch, a [`Canvas`] (the screen port: an embedded-graphics
//! `DrawTarget<Color = Rgb565>` in RAM, flushed to the display), a key/value [`Store`] under
//! `facegate/`, an
//! [`InputQueue`] fed from the input thread, and the `facegate` shell command parser/writer.
//!
//! It has no `zephyr` dependency, so it builds and tests on the host: unit tests link against
//! a fake implementation of the C ABI (`fake.rs`, test builds only). `unsafe` is limited to the
//! FFI calls, each with a `// SAFETY:` comment.
#![no_std]
#![deny(missing_docs)]

#[cfg(any(test, feature = "blob-writer"))]
extern crate std;

mod camera;
mod canvas;
mod display;
mod error;
pub mod ffi;
mod fourcc;
mod input;
pub mod model_blob;
mod reboot;
mod shell_command;
mod shell_writer;
mod store;
mod store_key;

#[cfg(test)]
mod fake;

pub use camera::{requeue_errors, Camera, CameraFormat, CameraRole, Frame};
pub use canvas::Canvas;
pub use display::{Display, DisplayCaps, DisplayFormat};
pub use error::AbiError;
pub use fourcc::Fourcc;
pub use input::{InputEvent, InputQueue};
pub use model_blob::ModelBlob;
pub use reboot::reboot;
pub use shell_command::{args_from_argv, parse_milli, ShellCommand, SHELL_MAX_ARGS};
pub use shell_writer::ShellWriter;
pub use store::Store;
pub use store_key::StoreKey;

/// Result type of every wrapper in this crate.
pub type Result<T> = core::result::Result<T, AbiError>;
