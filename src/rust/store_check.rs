// SPDX-License-Identifier: Apache-2.0
//! Gallery store check across a reboot (CONFIG_FACEGATE_STORE_CHECK, twister suite
//! tests/gallery_store on native_sim's flash simulator): boot 1 enrolls identities through the
//! real `PersistentGallery` over the settings shim and reboots; boot 2 reloads and compares.

use facegate_face::{Embedding, PersistentGallery};
use facegate_zephyr_abi::{AbiError, Store};

use crate::pipeline::EMBEDDING_DIM;
use crate::store_port::ZephyrStore;

type Gallery = PersistentGallery<ZephyrStore, 4, EMBEDDING_DIM>;

/// Boot-phase marker key.
const MARKER: &str = "check/boot";
const KEEP: [(&str, u8); 2] = [("ada", 1), ("grace", 2)];
const DROP: (&str, u8) = ("linus", 3);

/// A deterministic test embedding for `seed`.
fn embedding(seed: u8) -> Embedding<EMBEDDING_DIM> {
    let mut q = [0i8; EMBEDDING_DIM];
    let mut x = u32::from(seed).wrapping_mul(2_654_435_761);
    for v in q.iter_mut() {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        *v = (x >> 24) as i8;
    }
    // from_i8 only fails on a wrong length or an all-zero vector, neither possible here.
    Embedding::from_i8(&q, 0).unwrap_or_else(|_| unreachable!())
}

/// Runs the boot phase that the marker in the store says is due.
pub fn run() {
    let store = match Store::init() {
        Ok(s) => s,
        Err(e) => return zephyr::printkln!("store_check: FAIL init: {}", e),
    };
    let mut marker = [0u8; 1];
    let phase = store.read(MARKER, &mut marker);
    let (mut gallery, report) = match Gallery::load(ZephyrStore(store)) {
        Ok(g) => g,
        Err(e) => return zephyr::printkln!("store_check: FAIL load: {}", e),
    };
    match phase {
        Err(AbiError::NotFound) => first_boot(&mut gallery),
        Ok(1) if marker[0] == 1 => {
            let verdict = second_boot(&gallery, report.issues.len());
            clean(&mut gallery);
            match verdict {
                Ok(n) => zephyr::printkln!("store_check: PASS {} identities survived reboot", n),
                Err(why) => zephyr::printkln!("store_check: FAIL {}", why),
            }
        }
        other => {
            clean(&mut gallery);
            zephyr::printkln!("store_check: FAIL unexpected boot marker {:?}", other);
        }
    }
}

fn first_boot(g: &mut Gallery) {
    clean(g); // leftovers of an interrupted earlier run
    for (name, seed) in KEEP.iter().chain([&DROP]) {
        if let Err(e) = g.enroll(name, embedding(*seed)) {
            return zephyr::printkln!("store_check: FAIL enroll {}: {}", name, e);
        }
    }
    let Some(id) = g.gallery().find_name(DROP.0).map(|i| i.id) else {
        return zephyr::printkln!("store_check: FAIL {} not enrolled", DROP.0);
    };
    if let Err(e) = g.delete(id) {
        return zephyr::printkln!("store_check: FAIL delete: {}", e);
    }
    if let Err(e) = g.store().0.write(MARKER, &[1]) {
        return zephyr::printkln!("store_check: FAIL marker: {}", e);
    }
    zephyr::printkln!(
        "store_check: wrote {} identities, rebooting",
        g.gallery().len()
    );
    facegate_zephyr_abi::reboot();
}

fn second_boot(g: &Gallery, issues: usize) -> Result<usize, &'static str> {
    if issues != 0 {
        return Err("unreadable records after reboot");
    }
    if g.gallery().len() != KEEP.len() {
        return Err("wrong number of identities after reboot");
    }
    for (name, seed) in KEEP {
        let id = g
            .gallery()
            .find_name(name)
            .ok_or("an identity is missing")?;
        if id.embedding != embedding(seed) {
            return Err("an embedding changed across the reboot");
        }
    }
    if g.gallery().find_name(DROP.0).is_some() {
        return Err("a deleted identity came back");
    }
    Ok(KEEP.len())
}

/// Removes every identity and the marker, so the next run starts from boot 1.
fn clean(g: &mut Gallery) {
    let ids: heapless::Vec<u32, 4> = g.gallery().iter().map(|i| i.id).collect();
    for id in ids {
        let _ = g.delete(id);
    }
    let _ = g.store().0.delete(MARKER);
}
