// SPDX-License-Identifier: Apache-2.0
//! `facegate-kiosk`: the kiosk state machine (idle / recognizing / enrolling), generic over the
//! ports a board or the host provides: camera frames, screen, gallery store and clock.
#![no_std]
#![deny(unsafe_code)]
