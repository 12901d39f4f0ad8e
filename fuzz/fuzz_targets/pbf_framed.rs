#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../framing.rs"]
mod framing;

fuzz_target!(|file: framing::File| lifecircle::fuzzing::pbf(&file.to_bytes()));
