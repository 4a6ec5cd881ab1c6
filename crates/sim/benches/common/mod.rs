//! What the benchmarks share.

use std::path::Path;

/// A shipped scenario, by its path under `scenarios/` (e.g. `"bench/venues-1.ron"`).
pub fn load(name: &str) -> cascade_sim::Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../scenarios")
        .join(name);
    let text = std::fs::read_to_string(&path).expect("shipped scenario is readable");
    cascade_sim::prepare(&text, &[]).expect("shipped scenario is valid")
}
